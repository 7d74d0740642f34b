using Onward.Core.Configuration;
using Onward.Core.Targets;
using Onward.Integrations.LocalProcesses;
using Onward.Server.Hosting;

namespace Onward.Server.Workers;

/// <summary>
/// Opens the stable ports of the local target and takes over every environment's current release, which kept running
/// while no server ran it. With one server this happens as it starts, before jobs. With several replicas on PostgreSQL
/// the replica holding the local lease does it; the others try to take the lease every second, and the first to get it
/// after its holder died takes over within about <see cref="ReplicaLeases.LocalLease"/>.
/// </summary>
public sealed class AdoptionWorker(OnwardConfig config, LocalTarget local, TargetAdoption adoption, ReplicaLeases replicas, ILogger<AdoptionWorker> logger)
    : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _holding = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!replicas.NeedsLocalLease)
        {
            await TakeOverAsync(cancellationToken);
            return;
        }
        if (await replicas.HoldLocalAsync(cancellationToken))
        {
            await TakeOverAsync(cancellationToken);
        }
        else
        {
            await local.LearnPortsAsync(config, cancellationToken);
        }
        _holding = Task.Run(() => HoldAsync(_stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _holding;
        if (replicas.NeedsLocalLease)
        {
            await replicas.ReleaseLocalAsync(cancellationToken);
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task TakeOverAsync(CancellationToken cancellationToken)
    {
        await local.OpenPortsAsync(config, cancellationToken);
        await adoption.AdoptAllAsync(cancellationToken);
    }

    private async Task HoldAsync(CancellationToken stoppingToken)
    {
        var held = replicas.HoldsLocal;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                var now = await replicas.HoldLocalAsync(stoppingToken);
                if (now && !held)
                {
                    logger.LogInformation("This replica ({Owner}) now runs the local environments; taking over their processes and stable ports", replicas.Owner);
                    await TakeOverAsync(stoppingToken);
                }
                else if (!now && held)
                {
                    logger.LogError("This replica ({Owner}) lost the local environments to another replica; it no longer deploys to them", replicas.Owner);
                }
                held = now;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("Holding the local environments failed ({Reason}); trying again", e.Message);
            }
        }
    }
}
