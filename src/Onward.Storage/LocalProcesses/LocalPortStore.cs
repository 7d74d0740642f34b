using Dapper;
using Onward.Core.LocalProcesses;
using Onward.Storage.Database;

namespace Onward.Storage.LocalProcesses;

public sealed class LocalPortStore(OnwardDatabase database) : ILocalPortStore
{
    public async Task<int?> GetOrAssignAsync(string service, string environment, int proposed, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        var port = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT port FROM local_ports WHERE service = @service AND environment = @environment",
            new { service, environment }, transaction, cancellationToken: cancellationToken));
        if (port is null)
        {
            var inserted = await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO local_ports (service, environment, port) VALUES (@service, @environment, @proposed) ON CONFLICT DO NOTHING",
                new { service, environment, proposed }, transaction, cancellationToken: cancellationToken));
            port = inserted == 1 ? proposed : null;
        }
        await write.CommitAsync(cancellationToken);
        return (int?)port;
    }
}
