using Dapper;
using Onward.Storage.Database;

namespace Onward.Storage.Access;

/// <summary>
/// The keys that protect the web UI's forms and the sign-in's correlation cookies, kept in the database so that every
/// replica has the same ones (a sign-in started on one replica can come back to another; a form works on either).
/// </summary>
public sealed class ProtectionKeyStore(OnwardDatabase database)
{
    /// <summary>Every key, oldest first, as the XML the key manager wrote.</summary>
    public async Task<IReadOnlyList<string>> AllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<string>(new CommandDefinition("SELECT xml FROM protection_keys ORDER BY id", cancellationToken: cancellationToken))];
    }

    public async Task AddAsync(string name, string xml, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO protection_keys (name, xml, created_at) VALUES (@name, @xml, @at)", new { name, xml, at = UnixTime.From(now) }, write.Transaction,
            cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
    }
}
