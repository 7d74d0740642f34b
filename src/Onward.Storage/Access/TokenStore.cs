using Onward.Core.Audit;
using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Onward.Core.Access;
using Onward.Core.Pipeline;
using Onward.Storage.Audit;
using Onward.Storage.Database;

namespace Onward.Storage.Access;

public sealed class TokenStore(OnwardDatabase database) : ITokenStore
{
    private static readonly JsonSerializerOptions TeamsJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private const string Columns = """
        id AS Id, name AS Name, role AS Role, groups_list AS GroupsList, created_at AS CreatedAt, created_by AS CreatedBy, revoked_at AS RevokedAt,
        expires_at AS ExpiresAt, environment AS Environment, subject AS Subject, email AS Email, last_signed_in_at AS LastSignedInAt, teams AS Teams
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

    public async Task<(AccessToken? Person, string? Refusal)> SignInPersonAsync(PersonSignIn person, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // One first sign-in at a time across replicas, so that two people cannot be given the same name at once.
        await using var names = await database.LockAsync("person-names", cancellationToken);
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var at = UnixTime.From(now);
        var teams = person.Teams.Count == 0 ? null : JsonSerializer.Serialize(person.Teams, TeamsJson);
        var groups = string.Join(',', person.Groups);
        var known = (await QueryAsync(write.Connection, $"SELECT {Columns} FROM tokens WHERE subject = @Subject", new { person.Subject }, write.Transaction, cancellationToken))
            .FirstOrDefault();
        if (known is { RevokedAt: { } revokedAt })
        {
            return (null, $"an admin revoked {known.Name}'s access to Onward at {revokedAt:u}; ask an admin (their sign-in is refused until then)");
        }
        long id;
        if (known is null)
        {
            // Names decide who requested what and who may approve it: a person's is lowercase like a token's, and one
            // that is Onward's own, a token's or another person's gets a tag from their subject, so that it is theirs alone.
            var wanted = AccessTokens.PersonName(person.Username);
            var taken = wanted is Actors.Onward or Actors.Anonymous || await write.Connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM tokens WHERE name = @wanted", new { wanted }, write.Transaction, cancellationToken: cancellationToken)) > 0;
            var name = taken ? $"{wanted}~{TokenSecrets.Hash(person.Subject)[..6]}" : wanted;
            id = await write.Connection.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO tokens (name, role, groups_list, secret_hash, created_at, created_by, subject, email, last_signed_in_at, teams)
                VALUES (@name, @role, @groups, @secret, @at, 'oidc', @Subject, @Email, @at, @teams)
                RETURNING id
                """,
                new { name, role = person.Role.ToString(), groups, secret = TokenSecrets.Hash(TokenSecrets.Generate()), at, person.Subject, person.Email, teams },
                write.Transaction, cancellationToken: cancellationToken));
            await AuditRows.InsertAsync(write.Connection, write.Transaction, now, name, "person.added", null,
                $"{name} ({person.Subject}) signed in with the provider for the first time, as {person.Role.ToString().ToLowerInvariant()} (groups: {(groups.Length == 0 ? "none" : groups)})",
                cancellationToken);
        }
        else
        {
            id = known.Id;
            await write.Connection.ExecuteAsync(new CommandDefinition("""
                UPDATE tokens SET role = @role, groups_list = @groups, email = @Email, last_signed_in_at = @at, teams = @teams WHERE id = @id
                """, new { id, role = person.Role.ToString(), groups, person.Email, at, teams }, write.Transaction, cancellationToken: cancellationToken));
            if (known.Role != person.Role || string.Join(',', known.Groups) != groups)
            {
                await AuditRows.InsertAsync(write.Connection, write.Transaction, now, known.Name, "person.changed", null,
                    $"{known.Name} ({person.Subject}) is now {person.Role.ToString().ToLowerInvariant()} (groups: {(groups.Length == 0 ? "none" : groups)}), was {known.Role.ToString().ToLowerInvariant()}",
                    cancellationToken);
            }
        }
        var signedIn = (await QueryAsync(write.Connection, $"SELECT {Columns} FROM tokens WHERE id = @id", new { id }, write.Transaction, cancellationToken))[0];
        await write.CommitAsync(cancellationToken);
        return (signedIn, null);
    }

    public async Task<IReadOnlyList<AccessToken>> ListPeopleAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await QueryAsync(connection, $"SELECT {Columns} FROM tokens WHERE subject IS NOT NULL ORDER BY last_signed_in_at DESC, id DESC LIMIT @limit", new { limit }, null, cancellationToken);
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
        {
            ExpiresAt = UnixTime.To(r.ExpiresAt),
            Environment = r.Environment,
            Subject = r.Subject,
            Email = r.Email,
            LastSignedInAt = UnixTime.To(r.LastSignedInAt),
            Teams = r.Teams is null ? [] : JsonSerializer.Deserialize<List<RoleRule>>(r.Teams, TeamsJson) ?? [],
        }).ToList();
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

        public string? Subject { get; init; }

        public string? Email { get; init; }

        public long? LastSignedInAt { get; init; }

        public string? Teams { get; init; }
    }
}
