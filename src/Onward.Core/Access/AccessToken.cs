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

    /// <summary>For a person who signs in with the provider: <c>issuer#sub</c>; null for a token an admin created.</summary>
    public string? Subject { get; init; }

    /// <summary>A person's e-mail address, as the provider gave it.</summary>
    public string? Email { get; init; }

    /// <summary>When the person last signed in.</summary>
    public DateTimeOffset? LastSignedInAt { get; init; }

    /// <summary>A person's roles for some services or environments only.</summary>
    public IReadOnlyList<RoleRule> Teams { get; init; } = [];

    public bool IsPerson => Subject is not null;

    public Identity Identity => new(Name, Role, Groups) { Environment = Environment, Subject = Subject, Teams = Teams };
}
