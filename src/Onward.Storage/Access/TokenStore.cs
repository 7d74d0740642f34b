using Onward.Core.Audit;
using System.Data.Common;
using Dapper;
using Onward.Core.Access;
using Onward.Storage.Audit;
using Onward.Storage.Database;

namespace Onward.Storage.Access;

public sealed class TokenStore(OnwardDatabase database) : ITokenStore
{
    private const string Columns = """
        id AS Id, name AS Name, role AS Role, groups_list AS GroupsList, created_at AS CreatedAt, created_by AS CreatedBy, revoked_at AS RevokedAt,
        expires_at AS ExpiresAt, environment AS Environment
        """;

    public async Task<AccessToken> AddAsync(NewAccessToken token, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var id = await write.Connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO tokens (name, role, groups_list, secret_hash, created_at, created_by, expires_at, environment)
            VALUES (@Name, @role, @groups, @SecretHash, @at, @CreatedBy, @expires, @Environment)
            RETURNING id
            """,
            new { token.Name, role = token.Role.ToString(), groups = string.Join(',', token.Groups), token.SecretHash, at = UnixTime.From(now), token.CreatedBy, expires = UnixTime.From(token.ExpiresAt), token.Environment },
            write.Transaction, cancellationToken: cancellationToken));
        await AuditRows.InsertAsync(write.Connection, write.Transaction, now, token.CreatedBy, "token.created", null, AuditMessages.TokenCreated(id, token), cancellationToken);
        var created = (await QueryAsync(write.Connection, $"SELECT {Columns} FROM tokens WHERE id = @id", new { id }, write.Transaction, cancellationToken))[0];
        await write.CommitAsync(cancellationToken);
        return created;
    }

    public async Task<AccessToken?> FindActiveAsync(string secretHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await QueryAsync(connection, $"""
            SELECT {Columns} FROM tokens
            WHERE secret_hash = @secretHash AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @now)
            """, new { secretHash, now = UnixTime.From(now) }, null, cancellationToken)).FirstOrDefault();
    }

    public async Task<string?> ActiveSecretHashAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT secret_hash FROM tokens WHERE id = @id AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @now)",
            new { id, now = UnixTime.From(now) }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<AccessToken>> ListAsync(int limit, long? after, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await QueryAsync(connection, $"SELECT {Columns} FROM tokens WHERE (@after IS NULL OR id > @after) ORDER BY id LIMIT @limit", new { limit, after }, null, cancellationToken);
    }

    public async Task<IReadOnlyList<AccessToken>> RevokeAsync(string? name, long? id, string revokedBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var revoked = await QueryAsync(write.Connection, $"""
            UPDATE tokens SET revoked_at = @at, revoked_by = @revokedBy
            WHERE revoked_at IS NULL AND (@name IS NULL OR name = @name) AND (@id IS NULL OR id = @id)
            RETURNING {Columns}
            """, new { at = UnixTime.From(now), revokedBy, name, id }, write.Transaction, cancellationToken);
        foreach (var token in revoked)
        {
            // Its web sessions end with it, in the same transaction: no page or event stream outlives a revoked token.
            var ended = await write.Connection.ExecuteAsync(new CommandDefinition(
                "UPDATE ui_sessions SET ended_at = @at, ended_reason = @reason WHERE token_id = @id AND ended_at IS NULL",
                new { at = UnixTime.From(now), reason = SessionEndings.TokenRevoked, id = token.Id }, write.Transaction, cancellationToken: cancellationToken));
            await AuditRows.InsertAsync(write.Connection, write.Transaction, now, revokedBy, "token.revoked", null, AuditMessages.TokenRevoked(token, ended), cancellationToken);
        }
        await write.CommitAsync(cancellationToken);
        return revoked;
    }

    private static async Task<IReadOnlyList<AccessToken>> QueryAsync(
        DbConnection connection, string sql, object parameters, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<TokenRow>(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
        return rows.Select(r => new AccessToken(
            r.Id, r.Name, Enum.Parse<Role>(r.Role), r.GroupsList.Split(',', StringSplitOptions.RemoveEmptyEntries), UnixTime.To(r.CreatedAt), r.CreatedBy,
            UnixTime.To(r.RevokedAt))
        { ExpiresAt = UnixTime.To(r.ExpiresAt), Environment = r.Environment }).ToList();
    }

    private sealed class TokenRow
    {
        public long Id { get; init; }

        public string Name { get; init; } = "";

        public string Role { get; init; } = "";

        public string GroupsList { get; init; } = "";

        public long CreatedAt { get; init; }

        public string CreatedBy { get; init; } = "";

        public long? RevokedAt { get; init; }

        public string? Environment { get; init; }

        public long? ExpiresAt { get; init; }
    }
}
