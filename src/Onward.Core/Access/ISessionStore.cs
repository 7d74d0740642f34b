namespace Onward.Core.Access;

/// <summary>The web UI's sessions, durably. A token's revocation ends its sessions in the same transaction (<see cref="ITokenStore.RevokeAsync"/>).</summary>
public interface ISessionStore
{
    Task<UiSessionRecord> StartAsync(long tokenId, string name, string secretHash, DateTimeOffset now, DateTimeOffset expires, string? address, string? userAgent,
        CancellationToken cancellationToken);

    /// <summary>The session with this secret hash and its token, while neither has ended, expired or been revoked.</summary>
    Task<(UiSessionRecord Session, AccessToken Token)?> FindActiveAsync(string secretHash, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Whether the session still lasts and its token is still good (an open event stream asks as it goes).</summary>
    Task<bool> IsActiveAsync(long id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Notes that the session was used, at most once a minute per session.</summary>
    Task TouchAsync(long id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <returns>Whether it lasted until now.</returns>
    Task<bool> EndAsync(long id, string reason, string actor, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Newest first, of one token, or of every token of <paramref name="name"/>, or of all; with <paramref name="before"/>, only older ones.</summary>
    Task<IReadOnlyList<UiSessionRecord>> ListAsync(long? tokenId, string? name, bool activeOnly, DateTimeOffset now, int limit, long? before, CancellationToken cancellationToken);
}
