using Onward.Core.Access;
using Onward.Core.Audit;

namespace Onward.Testing.Fakes;

/// <summary>Web sessions in memory over <see cref="FakeTokenStore"/>: a session lasts while it has not ended, has not expired, and its token is active.</summary>
public sealed class FakeSessionStore : ISessionStore
{
    private static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);
    private readonly List<(UiSessionRecord Session, string SecretHash)> _sessions = [];
    private readonly FakeDatabase _database;
    private readonly FakeTokenStore _tokens;

    public FakeSessionStore(FakeDatabase database, FakeTokenStore tokens)
    {
        (_database, _tokens) = (database, tokens);
        tokens.Sessions = this;
    }

    public Task<UiSessionRecord> StartAsync(long tokenId, string name, string secretHash, DateTimeOffset now, DateTimeOffset expires, string? address, string? userAgent,
        CancellationToken cancellationToken)
    {
        lock (_database.Gate)
        {
            var session = new UiSessionRecord(_sessions.Count + 1, tokenId, name, now, now, expires, null, null, address, userAgent);
            _sessions.Add((session, secretHash));
            return Task.FromResult(session);
        }
    }

    public async Task<(UiSessionRecord Session, AccessToken Token)?> FindActiveAsync(string secretHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        UiSessionRecord? session;
        string tokenHash;
        lock (_database.Gate)
        {
            session = _sessions.Where(s => s.SecretHash == secretHash && s.Session.EndedAt is null && s.Session.ExpiresAt > now).Select(s => s.Session).FirstOrDefault();
            if (session is null)
            {
                return null;
            }
            if (_tokens.HashOf(session.TokenId) is not { } hash)
            {
                return null;
            }
            tokenHash = hash;
        }
        return await _tokens.FindActiveAsync(tokenHash, now, cancellationToken) is { } token ? (session, token) : null;
    }

    public Task<bool> IsActiveAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_database.Gate)
        {
            return Task.FromResult(_sessions.Any(s => s.Session.Id == id && s.Session.Active(now) && _tokens.IsActive(s.Session.TokenId, now)));
        }
    }

    public Task TouchAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_database.Gate)
        {
            var index = _sessions.FindIndex(s => s.Session.Id == id);
            if (index >= 0 && _sessions[index].Session.LastSeenAt + TouchEvery <= now)
            {
                _sessions[index] = (_sessions[index].Session with { LastSeenAt = now }, _sessions[index].SecretHash);
            }
        }
        return Task.CompletedTask;
    }

    public Task<bool> EndAsync(long id, string reason, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_database.Gate)
        {
            var index = _sessions.FindIndex(s => s.Session.Id == id && s.Session.EndedAt is null);
            if (index < 0)
            {
                return Task.FromResult(false);
            }
            var session = _sessions[index].Session;
            _sessions[index] = (session with { EndedAt = now, EndedReason = reason }, _sessions[index].SecretHash);
            if (reason is not (SessionEndings.SignedOut or SessionEndings.SignedInAgain))
            {
                _database.AddAudit(now, actor, "session.ended", null, AuditMessages.SessionEnded(id, session.Name, reason));
            }
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<UiSessionRecord>> ListAsync(
        long? tokenId, string? name, bool activeOnly, DateTimeOffset now, int limit, long? before, CancellationToken cancellationToken)
    {
        lock (_database.Gate)
        {
            return Task.FromResult<IReadOnlyList<UiSessionRecord>>(_sessions.Select(s => s.Session)
                .Where(s => (tokenId is null || s.TokenId == tokenId) && (name is null || s.Name == name) && (before is null || s.Id < before) && (!activeOnly || s.Active(now)))
                .OrderByDescending(s => s.Id).Take(limit).ToList());
        }
    }

    /// <summary>Ends every lasting session of a token (it was revoked); how many.</summary>
    internal int EndAllOf(long tokenId, string reason, DateTimeOffset now)
    {
        var ended = 0;
        for (var i = 0; i < _sessions.Count; i++)
        {
            if (_sessions[i].Session.TokenId == tokenId && _sessions[i].Session.EndedAt is null)
            {
                _sessions[i] = (_sessions[i].Session with { EndedAt = now, EndedReason = reason }, _sessions[i].SecretHash);
                ended++;
            }
        }
        return ended;
    }
}
