using Onward.Core.Audit;
using Dapper;
using Onward.Core.Access;
using Onward.Storage.Audit;
using Onward.Storage.Database;

namespace Onward.Storage.Access;

public sealed class SessionStore(OnwardDatabase database, ITokenStore tokens) : ISessionStore
{
    private const string Columns = """
        s.id AS Id, s.token_id AS TokenId, s.name AS Name, s.created_at AS CreatedAt, s.last_seen_at AS LastSeenAt, s.expires_at AS ExpiresAt,
        s.ended_at AS EndedAt, s.ended_reason AS EndedReason, s.address AS Address, s.user_agent AS UserAgent
        """;

    private static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);

    public async Task<UiSessionRecord> StartAsync(long tokenId, string name, string secretHash, DateTimeOffset now, DateTimeOffset expires, string? address, string? userAgent,
        CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var id = await write.Connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO ui_sessions (secret_hash, token_id, name, created_at, last_seen_at, expires_at, address, user_agent)
            VALUES (@secretHash, @tokenId, @name, @now, @now, @expires, @address, @userAgent)
            RETURNING id
            """, new { secretHash, tokenId, name, now = UnixTime.From(now), expires = UnixTime.From(expires), address, userAgent }, write.Transaction,
            cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
        return new UiSessionRecord(id, tokenId, name, now, now, expires, null, null, address, userAgent);
    }

    public async Task<(UiSessionRecord Session, AccessToken Token)?> FindActiveAsync(string secretHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SessionRow>(new CommandDefinition($"""
            SELECT {Columns}, t.secret_hash AS TokenSecretHash FROM ui_sessions s JOIN tokens t ON t.id = s.token_id
            WHERE s.secret_hash = @secretHash AND s.ended_at IS NULL AND s.expires_at > @now
            """, new { secretHash, now = UnixTime.From(now) }, cancellationToken: cancellationToken));
        if (row is null || await tokens.FindActiveAsync(row.TokenSecretHash, now, cancellationToken) is not { } token)
        {
            return null;
        }
        return (row.ToRecord(), token);
    }

    public async Task<bool> IsActiveAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            SELECT COUNT(*) FROM ui_sessions s JOIN tokens t ON t.id = s.token_id
            WHERE s.id = @id AND s.ended_at IS NULL AND s.expires_at > @now AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > @now)
            """, new { id, now = UnixTime.From(now) }, cancellationToken: cancellationToken)) > 0;
    }

    public async Task TouchAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Read first: most requests find the session seen within the minute, and cost no write.
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            var seen = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT last_seen_at FROM ui_sessions WHERE id = @id", new { id }, cancellationToken: cancellationToken));
            if (seen is null || UnixTime.To(seen.Value) + TouchEvery > now)
            {
                return;
            }
        }
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ui_sessions SET last_seen_at = @now WHERE id = @id AND last_seen_at < @now", new { id, now = UnixTime.From(now) }, write.Transaction,
            cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
    }

    public async Task<bool> EndAsync(long id, string reason, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var name = await write.Connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "UPDATE ui_sessions SET ended_at = @now, ended_reason = @reason WHERE id = @id AND ended_at IS NULL RETURNING name",
            new { id, reason, now = UnixTime.From(now) }, write.Transaction, cancellationToken: cancellationToken));
        if (name is not null && reason is not (SessionEndings.SignedOut or SessionEndings.SignedInAgain))
        {
            await AuditRows.InsertAsync(write.Connection, write.Transaction, now, actor, "session.ended", null, AuditMessages.SessionEnded(id, name, reason), cancellationToken);
        }
        await write.CommitAsync(cancellationToken);
        return name is not null;
    }

    public async Task<IReadOnlyList<UiSessionRecord>> ListAsync(
        long? tokenId, string? name, bool activeOnly, DateTimeOffset now, int limit, long? before, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SessionRow>(new CommandDefinition($"""
            SELECT {Columns}, t.secret_hash AS TokenSecretHash FROM ui_sessions s JOIN tokens t ON t.id = s.token_id
            WHERE (@tokenId IS NULL OR s.token_id = @tokenId) AND (@name IS NULL OR s.name = @name) AND (@before IS NULL OR s.id < @before)
              AND (@activeOnly = 0 OR (s.ended_at IS NULL AND s.expires_at > @now))
            ORDER BY s.id DESC LIMIT @limit
            """, new { tokenId, name, before, activeOnly = activeOnly ? 1 : 0, now = UnixTime.From(now), limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRecord())];
    }

    private sealed class SessionRow
    {
        public long Id { get; init; }

        public long TokenId { get; init; }

        public string Name { get; init; } = "";

        public long CreatedAt { get; init; }

        public long LastSeenAt { get; init; }

        public long ExpiresAt { get; init; }

        public long? EndedAt { get; init; }

        public string? EndedReason { get; init; }

        public string? Address { get; init; }

        public string? UserAgent { get; init; }

        public string TokenSecretHash { get; init; } = "";

        public UiSessionRecord ToRecord() => new(Id, TokenId, Name, UnixTime.To(CreatedAt), UnixTime.To(LastSeenAt), UnixTime.To(ExpiresAt), UnixTime.To(EndedAt),
            EndedReason, Address, UserAgent);
    }
}
