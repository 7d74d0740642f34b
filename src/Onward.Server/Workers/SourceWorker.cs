using Onward.Core.Configuration;
using Onward.Core.Sources;
using Onward.Server.Hosting;

namespace Onward.Server.Workers;

/// <summary>
/// Polls every service's repository at its <c>poll</c> interval; new heads become releases. With several replicas, one
/// at a time polls each repository (<see cref="ReplicaLeases.MayPollAsync"/>).
/// </summary>
public sealed class SourceWorker(OnwardConfig config, SourceWatcher watcher, ReplicaLeases replicas, TimeProvider time, ILogger<SourceWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(config.Services.Select(s => WatchAsync(s, stoppingToken)));

    private async Task WatchAsync(ServiceConfig service, CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await replicas.MayPollAsync(service, stoppingToken))
                {
                    await watcher.PollAsync(service, stoppingToken);
                }
                if (failures > 0)
                {
                    logger.LogInformation("Reading {Service}'s repository works again", service.Name);
                }
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                logger.LogWarning("Reading {Service}'s repository {Repository} failed ({Failures} in a row): {Error}",
                    service.Name, service.Repository.ToString(), failures, e.Message);
            }
            try
            {
                await Task.Delay(service.Poll, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
