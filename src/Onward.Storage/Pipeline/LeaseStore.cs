using Dapper;
using Onward.Core.Pipeline;
using Onward.Storage.Database;

namespace Onward.Storage.Pipeline;

/// <summary>Named leases in the <c>leases</c> table, taken or renewed with one atomic upsert.</summary>
public sealed class LeaseStore(OnwardDatabase database) : ILeaseStore
{
    public async Task<bool> TryHoldAsync(string name, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var holder = await write.Connection.ExecuteScalarAsync<string?>(new CommandDefinition("""
            INSERT INTO leases (name, owner, until_at) VALUES (@name, @owner, @until)
            ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until_at = excluded.until_at
            WHERE leases.owner = excluded.owner OR leases.until_at < @now
            RETURNING owner
            """, new { name, owner, until = UnixTime.From(now + duration), now = UnixTime.From(now) }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
        return holder == owner;
    }

    public async Task<string?> HolderAsync(string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT owner FROM leases WHERE name = @name AND until_at >= @now", new { name, now = UnixTime.From(now) }, cancellationToken: cancellationToken));
    }

    public async Task ReleaseAsync(string name, string owner, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM leases WHERE name = @name AND owner = @owner", new { name, owner }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
    }
}
