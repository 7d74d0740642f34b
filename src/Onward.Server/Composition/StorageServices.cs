using Onward.Core.Previews;
using Onward.Storage.Previews;
using Onward.Core.Canaries;
using Onward.Storage.Canaries;
using Onward.Core.Access;
using Onward.Core.Approvals;
using Onward.Core.Audit;
using Onward.Core.Deployments;
using Onward.Core.Drift;
using Onward.Core.Flags;
using Onward.Core.Freezes;
using Onward.Core.Kubernetes;
using Onward.Core.LocalProcesses;
using Onward.Core.Notifications;
using Onward.Core.Pipeline;
using Onward.Core.Releases;
using Onward.Core.Sources;
using Onward.Core.Webhooks;
using Onward.Storage.Access;
using Onward.Storage.Approvals;
using Onward.Storage.Audit;
using Onward.Storage.Database;
using Onward.Storage.Deployments;
using Onward.Storage.Drift;
using Onward.Storage.Flags;
using Onward.Storage.Freezes;
using Onward.Storage.Insight;
using Onward.Storage.Kubernetes;
using Onward.Storage.LocalProcesses;
using Onward.Storage.Notifications;
using Onward.Storage.Pipeline;
using Onward.Storage.Releases;
using Onward.Storage.Sources;
using Onward.Storage.Ui;
using Onward.Storage.Webhooks;

namespace Onward.Server.Composition;

public static class StorageServices
{
    /// <summary>Every Core port that keeps state, on <paramref name="database"/> (SQLite or PostgreSQL).</summary>
    public static IServiceCollection AddOnwardStorage(this IServiceCollection services, OnwardDatabase database)
    {
        // By a factory, so that the container disposes it when the server stops.
        services.AddSingleton(_ => database);
        services.AddSingleton<JobQueue>();
        services.AddSingleton<IJobQueue>(sp => sp.GetRequiredService<JobQueue>());
        services.AddSingleton<ILeaseStore, LeaseStore>();
        services.AddSingleton<IReleaseStore, ReleaseStore>();
        services.AddSingleton<ProtectionKeyStore>();
        services.AddSingleton<IDeploymentStore, DeploymentStore>();
        services.AddSingleton<IRefStateStore, RefStateStore>();
        services.AddSingleton<ILocalPortStore, LocalPortStore>();
        services.AddSingleton<IDeliveryStore, DeliveryStore>();
        services.AddSingleton<INotificationStore, NotificationStore>();
        services.AddSingleton<ITokenStore, TokenStore>();
        services.AddSingleton<ISessionStore, SessionStore>();
        services.AddSingleton<IApprovalStore, ApprovalStore>();
        services.AddSingleton<IFreezeStore, FreezeStore>();
        services.AddSingleton<IAuditLog, AuditLog>();
        services.AddSingleton<IManifestStore, ManifestStore>();
        services.AddSingleton<IDriftStore, DriftStore>();
        services.AddSingleton<ICanaryStore, CanaryStore>();
        services.AddSingleton<IPreviewStore, PreviewStore>();
        services.AddSingleton<IFlagStore, FlagStore>();
        services.AddSingleton<IFlagRequestStore, FlagRequestStore>();
        services.AddSingleton<IExperimentStore, ExperimentStore>();
        services.AddSingleton<InsightQueries>();
        services.AddSingleton<ChangeFingerprint>();
        return services;
    }
}
