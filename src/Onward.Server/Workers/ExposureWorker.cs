using Onward.Core.Flags;

namespace Onward.Server.Workers;

/// <summary>Writes the experiment exposures OFREP collected, once a second and when the server stops.</summary>
public sealed class ExposureWorker(ExposureRecorder recorder, ILogger<ExposureWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        await FlushAsync(CancellationToken.None);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await recorder.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Recording experiment exposures failed; they are kept and written with the next batch");
        }
    }
}
