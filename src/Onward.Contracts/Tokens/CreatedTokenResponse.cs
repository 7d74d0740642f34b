namespace Onward.Contracts.Tokens;

/// <summary>The answer to creating a token: the only time <see cref="Token"/>, the secret, is shown.</summary>
public sealed record CreatedTokenResponse(string Token, long Id, string Name, string Role, IReadOnlyList<string> Groups, DateTimeOffset? ExpiresAt, string? Environment = null);
