using Onward.Core.Previews;
using Onward.Core.Canaries;
using Onward.Core.Access;
using Onward.Core.Approvals;
using Onward.Core.Builds;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Drift;
using Onward.Core.Flags;
using Onward.Core.Freezes;
using Onward.Core.Pipeline;
using Onward.Core.Promotions;
using Onward.Core.Releases;
using Onward.Core.Sources;
using Onward.Core.Targets;
using Onward.Core.Webhooks;

namespace Onward.Server.Composition;

public static class CoreServices
{
    /// <summary>
    /// The domain: the configuration (its source, which a reload replaces, and the one in force when asked for), the
    /// clock every decision reads, and Core's services over their ports.
    /// </summary>
    public static IServiceCollection AddOnwardCore(this IServiceCollection services, ConfigSource configuration, TimeProvider time)
    {
        services.AddSingleton(configuration);
        services.AddTransient(provider => provider.GetRequiredService<ConfigSource>().Current);
        services.AddSingleton(time);
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<FlagStreamTickets>();
        services.AddSingleton<EnvironmentFreezes>();
        services.AddSingleton<FreezeChanges>();
        services.AddSingleton<FreezeWatch>();
        services.AddSingleton<DeploymentApprovals>();
        services.AddSingleton<DeploymentRequests>();
        services.AddSingleton<DeploymentRunner>();
        services.AddSingleton<CanaryRunner>();
        services.AddSingleton<CanaryActions>();
        services.AddSingleton<CanaryFlags>();
        services.AddSingleton<TargetAdoption>();
        services.AddSingleton<ReleasePromotions>();
        services.AddSingleton<ReleaseRegistrations>();
        services.AddSingleton<SourceWatcher>();
        services.AddSingleton<BuildRunner>();
        services.AddSingleton<DeliveryProcessor>();
        services.AddSingleton<PreviewRequests>();
        services.AddSingleton<PreviewRunner>();
        // What runs each kind of job's steps, for JobSteps.
        services.AddSingleton<IJobHandler>(provider => provider.GetRequiredService<BuildRunner>());
        services.AddSingleton<IJobHandler>(provider => provider.GetRequiredService<DeploymentRunner>());
        services.AddSingleton<IJobHandler>(provider => provider.GetRequiredService<DeliveryProcessor>());
        services.AddSingleton<IJobHandler>(provider => provider.GetRequiredService<PreviewRunner>());
        services.AddSingleton<JobSteps>();
        services.AddSingleton<DriftSignals>();
        services.AddSingleton<DriftChecks>();
        services.AddSingleton<FlagCatalog>();
        services.AddSingleton<ReleaseFlags>();
        services.AddSingleton<FlagApprovals>();
        services.AddSingleton<FlagChanges>();
        services.AddSingleton<ExposureRecorder>();
        return services;
    }
}
