using Onward.Integrations.Git;
using Onward.Core.Configuration;
using Onward.Core.Sources;
using Onward.Server.Hosting;

namespace Onward.Server.Workers;

/// <summary>
/// Polls every service's repository at its <c>poll</c> interval; new heads become releases. With several replicas, one
/// at a time polls each repository (<see cref="ReplicaLeases.MayPollAsync"/>).
/// </summary>
public sealed class SourceWorker(ConfigSource configuration, SourceWatcher watcher, ReplicaLeases replicas, TimeProvider time, ILogger<SourceWorker> logger) : BackgroundService
{
    /// <summary>How soon a service added by a reload of onward.yaml is looked at.</summary>
    private static readonly TimeSpan LookForNew = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // One loop per service; a service a reload adds gets one, and one a reload removes ends its own.
        var watching = new Dictionary<string, Task>(StringComparer.Ordinal);
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var service in configuration.Current.Services.Where(s => !watching.TryGetValue(s.Name, out var loop) || loop.IsCompleted))
            {
                watching[service.Name] = WatchAsync(service.Name, stoppingToken);
            }
            try
            {
                await Task.Delay(LookForNew, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await Task.WhenAll(watching.Values);
    }

    private async Task WatchAsync(string name, CancellationToken stoppingToken)
    {
        var failures = 0;
        // Each look reads the service as the configuration in force has it: an edited poll interval or repository counts from the next look.
        while (!stoppingToken.IsCancellationRequested && configuration.Current.FindService(name) is { } service)
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
