using Onward.Core.Drift;
using Onward.Server.Hosting;

namespace Onward.Server.Workers;

/// <summary>
/// Runs the drift checks: every environment once a minute, and an environment whose objects the watches saw change
/// within a moment of the change (changes that come together are checked once). Among several replicas, each checks
/// the environments whose target it holds, so that one replica watches a cluster and records its drift.
/// </summary>
public sealed class DriftWorker(DriftChecks checks, DriftSignals signals, ReplicaLeases replicas, TimeProvider time, ILogger<DriftWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Round = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(250);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(RoundsAsync(stoppingToken), SuspectsAsync(stoppingToken));

    private async Task RoundsAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await checks.CheckAllAsync(replicas.SkipEnvironments, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("A drift check round failed: {Error}", e.Message);
            }
            try
            {
                await Task.Delay(Round, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SuspectsAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await signals.Suspects.WaitToReadAsync(stoppingToken))
            {
                await Task.Delay(Gather, time, stoppingToken);
                var suspects = new HashSet<(string, string)>();
                while (signals.Suspects.TryRead(out var suspect))
                {
                    suspects.Add(suspect);
                }
                var skip = replicas.SkipEnvironments;
                foreach (var (service, environment) in suspects.Where(s => !skip.Contains(s.Item2)))
                {
                    try
                    {
                        await checks.CheckAsync(service, environment, stoppingToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        logger.LogWarning("The drift check of {Service} in {Environment} failed: {Error}", service, environment, e.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
