namespace Onward.Contracts.Tokens;

/// <summary>A web UI session, as the server keeps it (never its secret).</summary>
/// <param name="TokenId">The token its person signed in with.</param>
/// <param name="EndedReason"><c>signed out</c>, <c>token revoked</c> or <c>ended by NAME</c>; null while it lasts.</param>
/// <param name="Active">Whether it lasts now (not ended, not run out).</param>
public sealed record SessionResponse(
    long Id,
    long TokenId,
    string Name,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? EndedAt,
    string? EndedReason,
    string? Address,
    string? UserAgent,
    bool Active);
