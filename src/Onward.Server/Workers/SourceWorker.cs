using Onward.Core.Configuration;
using Onward.Core.Sources;

namespace Onward.Server.Workers;

/// <summary>Polls every service's repository at its <c>poll</c> interval; new heads become releases.</summary>
public sealed class SourceWorker(OnwardConfig config, SourceWatcher watcher, TimeProvider time, ILogger<SourceWorker> logger) : BackgroundService
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
                await watcher.PollAsync(service, stoppingToken);
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
