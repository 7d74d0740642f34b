using Onward.Core.Configuration;
using Onward.Core.Drift;
using Onward.Core.Targets;
using Onward.Integrations.Kubernetes;
using Onward.Integrations.LocalProcesses;
using Onward.Server.Hosting;

namespace Onward.Server.Workers;

/// <summary>
/// Takes over the targets this server runs. With one server, as it starts and before jobs: it opens the stable ports
/// of the local target and adopts every environment's current release, which kept running while no server ran it.
/// With several replicas on PostgreSQL, every replica tries each second to take or renew the lease of each target
/// (the local one, and one per Kubernetes cluster); a replica that gains the local lease takes over as above, one
/// that gains a cluster's lease watches it (drift checks of its environments start at once), one that loses a
/// cluster's lease closes its watches there, one that loses the local lease while alive (its database answered too
/// late) stops deploying there. The stable ports are served by the environments' forwarders all along, whichever
/// replica holds the lease. After a holder's death another replica takes over within about
/// <see cref="ReplicaLeases.TargetLease"/>.
/// </summary>
public sealed class TargetLeaseWorker(
    ConfigSource configuration, LocalTarget local, TargetAdoption adoption, ReplicaLeases replicas, ClusterClients clusters, DriftSignals drift,
    ILogger<TargetLeaseWorker> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan Renew = TimeSpan.FromSeconds(1);

    private OnwardConfig config => configuration.Current;

    /// <summary>Whether this server runs the local environments now: alone on SQLite, or holding their lease and having taken them over.</summary>
    private bool RunsLocal => !replicas.Shared || (replicas.HoldsLocal && replicas.LocalTakenOver);
    private readonly CancellationTokenSource _stopping = new();
    private Task _holding = Task.CompletedTask;
    private Task _reviving = Task.CompletedTask;

    /// <summary>How often the local environments' forwarders are looked at: one that died is started again.</summary>
    private static readonly TimeSpan LookAtForwarders = TimeSpan.FromSeconds(2);
    private int _takeOverFailures;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        configuration.Replaced += (_, _) => _ = Task.Run(() => PortsOfReloadAsync(_stopping.Token), CancellationToken.None);
        _reviving = Task.Run(() => ReviveForwardersAsync(_stopping.Token), CancellationToken.None);
        if (!replicas.Shared)
        {
            await TakeOverLocalAsync(cancellationToken);
            return;
        }
        var (gained, _) = await replicas.HoldAsync(cancellationToken);
        await GainedAsync(gained, starting: true, cancellationToken);
        if (replicas.NeedsLocalLease && !replicas.HoldsLocal)
        {
            await local.LearnPortsAsync(config, cancellationToken);
        }
        _holding = Task.Run(() => HoldAsync(_stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _holding;
        await _reviving;
        if (replicas.Shared)
        {
            await replicas.ReleaseAllAsync(cancellationToken);
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task TakeOverLocalAsync(CancellationToken cancellationToken)
    {
        await local.OpenPortsAsync(config, cancellationToken);
        await adoption.AdoptAllAsync(cancellationToken);
    }

    private async Task ReviveForwardersAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(LookAtForwarders, stoppingToken);
                if (RunsLocal)
                {
                    await local.ReviveForwardersAsync(config, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("Starting a stopped forwarder of stable ports again failed ({Reason}); trying again", e.Message);
            }
        }
    }

    /// <summary>A reload that adds a service or a local environment opens (or, without the local lease, learns) its stable ports.</summary>
    private async Task PortsOfReloadAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (RunsLocal)
            {
                await local.OpenPortsAsync(config, stoppingToken);
            }
            else
            {
                await local.LearnPortsAsync(config, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogWarning("Opening the stable ports of the reloaded configuration failed ({Reason}); each opens with its first deployment", e.Message);
        }
    }

    private async Task HoldAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Renew, stoppingToken);
                var (gained, lost) = await replicas.HoldAsync(stoppingToken);
                await LostAsync(lost);
                await GainedAsync(gained, starting: false, stoppingToken);
                // The stable ports are the forwarders' on this host, whichever replica holds the lease: one that loses
                // it only stops deploying, and the one that gains it talks to the same forwarders.
                if (replicas.NeedsLocalLease && replicas.HoldsLocal && !replicas.LocalTakenOver && !gained.Contains(ReplicaLeases.Local))
                {
                    await TryTakeOverLocalAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("Holding the targets' leases failed ({Reason}); trying again", e.Message);
            }
        }
    }

    private async Task GainedAsync(IReadOnlyList<string> leases, bool starting, CancellationToken cancellationToken)
    {
        foreach (var lease in leases)
        {
            var environments = replicas.EnvironmentsOf(lease);
            if (lease == ReplicaLeases.Local)
            {
                if (!starting)
                {
                    logger.LogInformation("This replica ({Owner}) now runs the local environments; taking over their processes and stable ports", replicas.Owner);
                }
                await TryTakeOverLocalAsync(cancellationToken);
                continue;
            }
            logger.LogInformation("This replica ({Owner}) now watches cluster {Cluster} and deploys to {Environments}",
                replicas.Owner, ClusterOf(lease)?.ClusterName, string.Join(", ", environments));
            foreach (var environment in environments)
            {
                foreach (var service in config.Services)
                {
                    drift.Suspect(service.Name, environment);
                }
            }
        }
    }

    private async Task LostAsync(IReadOnlyList<string> leases)
    {
        foreach (var lease in leases)
        {
            if (lease == ReplicaLeases.Local)
            {
                logger.LogError("This replica ({Owner}) lost the local environments to another replica; it no longer deploys to them (their forwarders go on serving the stable ports)",
                    replicas.Owner);
                replicas.LocalTakenOver = false;
                _takeOverFailures = 0;
                continue;
            }
            var cluster = ClusterOf(lease);
            logger.LogWarning("This replica ({Owner}) lost cluster {Cluster} to another replica; it closes its watches there and no longer deploys to {Environments}",
                replicas.Owner, cluster?.ClusterName, string.Join(", ", replicas.EnvironmentsOf(lease)));
            if (cluster is not null)
            {
                await clusters.CloseWatchesAsync(cluster.ClusterKey);
            }
        }
    }

    /// <summary>
    /// Takes over the local environments whose lease this replica holds; when a stable port is still held (by the
    /// replica that had them, until it learns it lost them) says so and leaves it for the next second.
    /// </summary>
    private async Task TryTakeOverLocalAsync(CancellationToken cancellationToken)
    {
        try
        {
            await TakeOverLocalAsync(cancellationToken);
            replicas.LocalTakenOver = true;
            if (_takeOverFailures > 0)
            {
                logger.LogInformation("This replica ({Owner}) took over the local environments after {Tries} tries", replicas.Owner, _takeOverFailures + 1);
            }
            _takeOverFailures = 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Said once, then every minute: a port another program keeps would say it each second.
            if (_takeOverFailures++ % 60 == 0)
            {
                logger.LogWarning("This replica ({Owner}) holds the local environments but cannot take them over yet ({Reason}); deployments to them wait, and it tries again each second",
                    replicas.Owner, e.Message);
            }
        }
    }

    private KubernetesTargetConfig? ClusterOf(string lease) =>
        config.Environments.Select(e => e.Target.Kubernetes).FirstOrDefault(k => k is not null && ReplicaLeases.ClusterLease(k) == lease);
}
