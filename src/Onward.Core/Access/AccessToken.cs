namespace Onward.Core.Access;

/// <summary>A stored API token. The secret itself is never kept, only its hash.</summary>
public sealed record AccessToken(
    long Id,
    string Name,
    Role Role,
    IReadOnlyList<string> Groups,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? RevokedAt)
{
    public Identity Identity => new(Name, Role, Groups);
}
