namespace Onward.Contracts.Tokens;

/// <summary>A token as listed; the secret is never part of it.</summary>
public sealed record TokenResponse(
    long Id,
    string Name,
    string Role,
    IReadOnlyList<string> Groups,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? ExpiresAt,
    string? Environment = null);
