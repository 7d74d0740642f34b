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
    /// <summary>When the token stops working by itself; null for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The one environment an SDK key evaluates flags for; null for every other role.</summary>
    public string? Environment { get; init; }

    public Identity Identity => new(Name, Role, Groups) { Environment = Environment };
}
