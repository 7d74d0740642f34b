using Npgsql;
using Onward.Storage.Database;

namespace Onward.Storage.Pipeline;

/// <summary>
/// With several replicas on PostgreSQL: listens on <see cref="JobQueue.Channel"/> and wakes this replica's idle workers
/// when another replica made a job due, so that it starts within milliseconds instead of at the next look (a second).
/// A lost connection is opened again; meanwhile the workers' own look keeps everything moving.
/// </summary>
public sealed class JobNotifications(PostgresDatabase database, JobQueue queue)
{
    public async Task RunAsync(Action<Exception>? lost, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = (NpgsqlConnection)await database.OpenListenerAsync(cancellationToken);
                connection.Notification += (_, _) => queue.Signal();
                await using (var listen = connection.CreateCommand())
                {
                    listen.CommandText = $"LISTEN {JobQueue.Channel}";
                    await listen.ExecuteNonQueryAsync(cancellationToken);
                }
                // What became due while this replica was not listening is found by the workers' next look.
                queue.Signal();
                while (true)
                {
                    await connection.WaitAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or IOException or TimeoutException)
            {
                lost?.Invoke(e);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }
}
