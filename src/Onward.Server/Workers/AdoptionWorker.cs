using Onward.Core.Configuration;
using Onward.Core.Targets;
using Onward.Integrations.LocalProcesses;

namespace Onward.Server.Workers;

/// <summary>
/// Runs once as the server starts, before jobs: opens the stable ports of the local target and takes over every
/// environment's current release, which kept running while the server was down.
/// </summary>
public sealed class AdoptionWorker(OnwardConfig config, LocalTarget local, TargetAdoption adoption) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await local.OpenPortsAsync(config, cancellationToken);
        await adoption.AdoptAllAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
