using Dapper;
using Onward.Core.Sources;
using Onward.Storage.Database;

namespace Onward.Storage.Sources;

public sealed class RefStateStore(OnwardDatabase database) : IRefStateStore
{
    public async Task<IReadOnlyDictionary<string, string>?> GetAsync(string service, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var read = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT read_at FROM source_reads WHERE service = @service", new { service }, cancellationToken: cancellationToken));
        if (read is null)
        {
            return null;
        }
        var rows = await connection.QueryAsync<(string Ref, string Commit)>(new CommandDefinition(
            "SELECT ref, commit_sha FROM source_refs WHERE service = @service", new { service }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Ref, r => r.Commit, StringComparer.Ordinal);
    }

    public async Task SaveAsync(string service, IReadOnlyDictionary<string, string> heads, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM source_refs WHERE service = @service", new { service }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO source_refs (service, ref, commit_sha) VALUES (@service, @Key, @Value)",
            heads.Select(h => new { service, h.Key, h.Value }), transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO source_reads (service, read_at) VALUES (@service, @at)
            ON CONFLICT (service) DO UPDATE SET read_at = excluded.read_at
            """,
            new { service, at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
    }
}
