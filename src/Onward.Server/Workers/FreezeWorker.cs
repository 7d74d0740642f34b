using Onward.Core.Freezes;

namespace Onward.Server.Workers;

/// <summary>Looks every few seconds whether a freeze window began or ended, or an ad-hoc freeze ran out, and tells it (<see cref="FreezeWatch"/>).</summary>
public sealed class FreezeWorker(FreezeWatch watch, TimeProvider time, ILogger<FreezeWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Look = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await watch.LookAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("Looking at freeze windows failed ({Reason}); looking again", e.Message);
            }
            try
            {
                await Task.Delay(Look, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
