using Npgsql;
using Onward.Core.Flags;
using Onward.Storage.Pipeline;

namespace Onward.Storage.Database;

/// <summary>
/// With several replicas on PostgreSQL: listens on <see cref="ReplicaChannels"/>. A job another replica made due wakes
/// this replica's idle workers, so that it starts within milliseconds instead of at the next look (a second); flags
/// another replica changed are read again, and this replica's flag streams tell their clients. A lost connection is
/// opened again; meanwhile the workers' own look keeps jobs moving, and once listening again every environment's
/// flags are read afresh, since changes may have been missed.
/// </summary>
public sealed class ReplicaNotifications(PostgresDatabase database, JobQueue queue, FlagCatalog flags)
{
    public async Task RunAsync(Action<Exception>? lost, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = (NpgsqlConnection)await database.OpenListenerAsync(cancellationToken);
                connection.Notification += (_, e) => Received(e.Channel, e.Payload);
                await using (var listen = connection.CreateCommand())
                {
                    listen.CommandText = $"LISTEN {ReplicaChannels.Jobs}; LISTEN {ReplicaChannels.Flags}";
                    await listen.ExecuteNonQueryAsync(cancellationToken);
                }
                // What happened while this replica was not listening: due jobs are found by the workers' next look,
                // flags are read again.
                queue.Signal();
                flags.ChangedElsewhere(null);
                while (true)
                {
                    await connection.WaitAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever went wrong with the connection (it broke, the server restarted), listening starts again.
                lost?.Invoke(e);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    private void Received(string channel, string payload)
    {
        var (origin, subject) = ReplicaChannels.Parse(payload);
        switch (channel)
        {
            case ReplicaChannels.Jobs:
                queue.Signal();
                break;
            case ReplicaChannels.Flags when origin != database.Origin:
                flags.ChangedElsewhere(subject);
                break;
        }
    }
}
