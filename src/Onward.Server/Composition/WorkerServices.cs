using Onward.Server.Hosting;
using Onward.Server.Workers;

namespace Onward.Server.Composition;

public static class WorkerServices
{
    /// <summary>What runs on its own: the start-up step first (the database as this version needs it), then the workers.</summary>
    public static IServiceCollection AddOnwardWorkers(this IServiceCollection services)
    {
        services.AddHostedService<StartupStep>();
        services.AddSingleton<ReplicaLeases>();
        // The live previews' environments are in the configuration before the targets take over what runs.
        services.AddSingleton<PreviewProblems>();
        services.AddHostedService<PreviewWorker>();
        services.AddHostedService<TargetLeaseWorker>();
        services.AddHostedService<JobWorker>();
        services.AddHostedService<ReplicaWakeWorker>();
        services.AddHostedService<SourceWorker>();
        services.AddHostedService<DriftWorker>();
        services.AddHostedService<NotificationWorker>();
        services.AddHostedService<FreezeWorker>();
        services.AddHostedService<ExposureWorker>();
        return services;
    }
}
