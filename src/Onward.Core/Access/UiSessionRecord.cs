namespace Onward.Core.Access;

/// <summary>A person's session in the web UI, kept by the server so that it can be ended there (never the secret, only its hash).</summary>
/// <param name="TokenId">The token the person signed in with.</param>
/// <param name="Name">Who signed in, as the token names them.</param>
/// <param name="EndedReason">Why it ended: <c>signed out</c>, <c>token revoked</c>, <c>ended by NAME</c>; null while it lasts.</param>
public sealed record UiSessionRecord(
    long Id,
    long TokenId,
    string Name,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? EndedAt,
    string? EndedReason,
    string? Address,
    string? UserAgent)
{
    public bool Active(DateTimeOffset now) => EndedAt is null && ExpiresAt > now;
}
