using System.Text.Json;
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

    public async Task<bool> SetWarningsAsync(string service, IReadOnlyList<string> warnings, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var text = warnings.Count == 0 ? null : JsonSerializer.Serialize(warnings);
        // Looking is a read: a repository read every few seconds writes only when what it found changes.
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            var kept = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT warnings FROM source_warnings WHERE service = @service", new { service }, cancellationToken: cancellationToken));
            if (kept == text)
            {
                return false;
            }
        }
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var changed = text is null
            ? await write.Connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM source_warnings WHERE service = @service", new { service }, write.Transaction, cancellationToken: cancellationToken))
            : await write.Connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO source_warnings (service, warnings, changed_at) VALUES (@service, @text, @at)
                ON CONFLICT (service) DO UPDATE SET warnings = excluded.warnings, changed_at = excluded.changed_at
                WHERE source_warnings.warnings <> excluded.warnings
                """, new { service, text, at = UnixTime.From(now) }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
        return changed > 0;
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> WarningsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Service, string Warnings)>(new CommandDefinition(
            "SELECT service, warnings FROM source_warnings", cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Service, r => (IReadOnlyList<string>)(JsonSerializer.Deserialize<string[]>(r.Warnings) ?? []), StringComparer.Ordinal);
    }
}
