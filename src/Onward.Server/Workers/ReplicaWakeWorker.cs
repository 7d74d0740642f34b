using Onward.Storage.Database;
using Onward.Storage.Pipeline;

namespace Onward.Server.Workers;

/// <summary>On PostgreSQL, wakes this replica's workers when another replica makes a job due (LISTEN/NOTIFY); on SQLite, nothing to do.</summary>
public sealed class ReplicaWakeWorker(OnwardDatabase database, JobQueue queue, ILogger<ReplicaWakeWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        database is PostgresDatabase postgres
            ? new JobNotifications(postgres, queue).RunAsync(e => logger.LogWarning("Listening for other replicas' jobs failed ({Reason}); listening again in 1 s", e.Message), stoppingToken)
            : Task.CompletedTask;
}
