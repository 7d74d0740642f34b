using Onward.Core.Flags;
using Onward.Storage.Database;
using Onward.Storage.Pipeline;

namespace Onward.Server.Workers;

/// <summary>
/// On PostgreSQL, hears what other replicas changed (LISTEN/NOTIFY): jobs made due wake this replica's workers, flags
/// changed are read again. On SQLite, nothing to do.
/// </summary>
public sealed class ReplicaWakeWorker(OnwardDatabase database, JobQueue queue, FlagCatalog flags, ILogger<ReplicaWakeWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        database is PostgresDatabase postgres
            ? new ReplicaNotifications(postgres, queue, flags).RunAsync(
                e => logger.LogWarning("Listening for other replicas' changes failed ({Reason}); listening again in 1 s", e.Message), stoppingToken)
            : Task.CompletedTask;
}
