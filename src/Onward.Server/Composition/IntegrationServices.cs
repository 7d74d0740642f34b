using Onward.Core.Previews;
using Onward.Integrations.Previews;
using Onward.Core.Canaries;
using Onward.Integrations.Canaries;
using Onward.Core.Builds;
using Onward.Core.Configuration;
using Onward.Core.Releases;
using Onward.Core.Sources;
using Onward.Core.Targets;
using Onward.Integrations.Git;
using Onward.Integrations.ImageBuilds;
using Onward.Integrations.Kubernetes;
using Onward.Integrations.LocalProcesses;
using Onward.Integrations.Notifications;
using Onward.Integrations.Registry;

namespace Onward.Server.Composition;

public static class IntegrationServices
{
    private static readonly TimeSpan HostTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The outside world behind Core's ports: git, registries, builders, the local and Kubernetes targets, and the receivers of notifications.</summary>
    public static IServiceCollection AddOnwardIntegrations(this IServiceCollection services, OnwardConfig config)
    {
        var dataDir = config.Server.DataDir;
        services.AddSingleton(new GitSourceRepository(dataDir));
        services.AddSingleton<ISourceRepository>(sp => sp.GetRequiredService<GitSourceRepository>());
        services.AddSingleton(new RegistryClient(config.Registries));
        services.AddSingleton<IImageRegistry, ImageRegistry>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ImageUnpacker>(sp, dataDir));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<CommandBuilder>(sp, dataDir));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ImageBuilder>(sp, dataDir));
        services.AddSingleton<IBuilder, Builders>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<LocalTarget>(sp, dataDir));
        services.AddSingleton<IDeploymentTarget>(sp => sp.GetRequiredService<LocalTarget>());
        services.AddSingleton<IPrometheusQueries, PrometheusQueries>();
        services.AddSingleton<ClusterClients>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ChartFetcher>(sp, dataDir));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<KubernetesTarget>(sp, dataDir));
        services.AddSingleton<IDeploymentTarget>(sp => sp.GetRequiredService<KubernetesTarget>());
        services.AddSingleton<IPreviewTarget>(sp => sp.GetRequiredService<LocalTarget>());
        services.AddSingleton<IPreviewTarget>(sp => sp.GetRequiredService<KubernetesTarget>());
        services.AddSingleton<IPullRequestHost>(_ => new PullRequestHost(new HttpClient { Timeout = HostTimeout }));
        // Each receiver of notifications gets a client of its own, so that a slow one holds no connection another needs.
        services.AddSingleton(_ => new NotificationSender(new HttpClient { Timeout = HostTimeout }));
        services.AddSingleton(_ => new CommitStatusReporter(new HttpClient { Timeout = HostTimeout }));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<HostDeploymentReporter>(sp, new HttpClient { Timeout = HostTimeout }));
        return services;
    }
}
