using System.Collections.Concurrent;
using Onward.Core.Configuration;
using Onward.Core.Previews;
using Onward.Server.Hosting;

namespace Onward.Server.Workers;

/// <summary>What went wrong when Onward last asked a service's git host for its open pull requests (null: nothing).</summary>
public sealed class PreviewProblems
{
    private readonly ConcurrentDictionary<string, string> _problems = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> All => _problems;

    public void Set(string service, string? problem)
    {
        if (problem is null)
        {
            _problems.TryRemove(service, out _);
        }
        else
        {
            _problems[service] = problem;
        }
    }
}

/// <summary>
/// Keeps the live previews' environments in the configuration (read from the database as the server starts, and each
/// second after, so that a replica sees another's previews), destroys previews whose time ran out, and at each service's
/// <c>poll</c> interval compares its previews with the pull requests its git host lists as open (where <c>report</c>
/// gives Onward a token), for events that were lost. With several replicas one at a time looks at each host.
/// </summary>
public sealed class PreviewWorker(
    ConfigSource configuration, PreviewRunner runner, PreviewRequests requests, IPullRequestHost host, PreviewProblems problems, ReplicaLeases replicas,
    TimeProvider time, ILogger<PreviewWorker> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Expire = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, DateTimeOffset> _looked = new(StringComparer.Ordinal);
    private Task _running = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await runner.RefreshAsync(cancellationToken);
        _running = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _running;
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var expired = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await runner.RefreshAsync(stoppingToken);
                var now = time.GetUtcNow();
                if (now - expired >= Expire)
                {
                    expired = now;
                    await requests.ExpireAsync(stoppingToken);
                }
                foreach (var service in configuration.Current.Services.Where(s => s.Previews is not null && s.Report is not null))
                {
                    if (_looked.TryGetValue(service.Name, out var last) && now - last < service.Poll)
                    {
                        continue;
                    }
                    _looked[service.Name] = now;
                    if (await replicas.MayPollAsync(service, stoppingToken))
                    {
                        await LookAsync(service, stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("Looking after previews failed: {Error}", e.Message);
            }
            try
            {
                await Task.Delay(Refresh, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task LookAsync(ServiceConfig service, CancellationToken stoppingToken)
    {
        var lookedAt = time.GetUtcNow();
        var (open, error) = await host.OpenAsync(service.Report!, stoppingToken);
        if (open is null)
        {
            var problem = $"the open pull requests could not be read from {service.Report!.ApiUrl.Host}: {error}";
            if (!problems.All.TryGetValue(service.Name, out var before) || before != problem)
            {
                logger.LogWarning("{Service}: {Problem}", service.Name, problem);
            }
            problems.Set(service.Name, problem);
            return;
        }
        problems.Set(service.Name, null);
        await requests.ReconcileAsync(service, open, lookedAt, stoppingToken);
    }
}
