using Onward.Integrations.Git;
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
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                logger.LogDebug("Reading {Service}'s repository {Repository} failed ({Failures} in a row): {Error}",
                    service.Name, service.Repository.ToString(), failures, e.Message);
                await RecordAsync(service, e is GitException git ? git.Reason : e.Message, stoppingToken);
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

    /// <summary>Keeps why the repository could not be read; a database that is gone as well leaves it to the log.</summary>
    private async Task RecordAsync(ServiceConfig service, string reason, CancellationToken stoppingToken)
    {
        try
        {
            await watcher.UnreadableAsync(service, reason, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Reading {Service}'s repository failed ({Reason}), and keeping that failed too: {Error}", service.Name, reason, e.Message);
        }
    }
}
