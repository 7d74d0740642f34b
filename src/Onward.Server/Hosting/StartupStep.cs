using Onward.Core.Configuration;
using Onward.Integrations.Kubernetes;
using Onward.Storage.Database;
using Onward.Storage.Kubernetes;

namespace Onward.Server.Hosting;

/// <summary>
/// What the server does with the world before anything else runs: the database migrated to this version, this host
/// checked against the replicas' leases, and manifests kept by earlier versions masked. It runs before the workers and
/// before the server listens; a failure stops the start with one line (<see cref="ServerStartException"/>).
/// </summary>
public sealed class StartupStep(OnwardConfig config, OnwardDatabase database, ReplicaLeases leases, ILogger<ManifestScrub> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await database.MigrateAsync(cancellationToken);
        }
        catch (DatabaseStartException e)
        {
            throw new ServerStartException(e.Message);
        }
        await leases.CheckHostAsync(cancellationToken);
        await new ManifestScrub(new ManifestStore(database), config, logger).RunAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
