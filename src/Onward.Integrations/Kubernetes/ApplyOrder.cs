namespace Onward.Integrations.Kubernetes;

/// <summary>
/// The order objects are applied in, so that nothing is applied before what it needs: namespaces and CRDs, then
/// accounts, RBAC, policies and configuration, then services, then workloads, then everything else (autoscalers,
/// ingresses, custom resources, webhooks), which may point at any of those. Within a rank, objects keep their order
/// in the manifests.
/// </summary>
public static class ApplyOrder
{
    private static readonly Dictionary<string, int> Ranks = new(StringComparer.Ordinal)
    {
        ["Namespace"] = 0,
        ["CustomResourceDefinition.apiextensions.k8s.io"] = 1,
        ["PriorityClass.scheduling.k8s.io"] = 2,
        ["StorageClass.storage.k8s.io"] = 2,
        ["IngressClass.networking.k8s.io"] = 2,
        ["ServiceAccount"] = 3,
        ["ClusterRole.rbac.authorization.k8s.io"] = 3,
        ["ClusterRoleBinding.rbac.authorization.k8s.io"] = 3,
        ["Role.rbac.authorization.k8s.io"] = 3,
        ["RoleBinding.rbac.authorization.k8s.io"] = 3,
        ["ResourceQuota"] = 3,
        ["LimitRange"] = 3,
        ["NetworkPolicy.networking.k8s.io"] = 3,
        ["PodDisruptionBudget.policy"] = 3,
        ["Secret"] = 4,
        ["ConfigMap"] = 4,
        ["PersistentVolume"] = 4,
        ["PersistentVolumeClaim"] = 4,
        ["Service"] = 5,
        ["Endpoints"] = 5,
        ["Deployment.apps"] = 6,
        ["StatefulSet.apps"] = 6,
        ["DaemonSet.apps"] = 6,
        ["ReplicaSet.apps"] = 6,
        ["Pod"] = 6,
        ["Job.batch"] = 6,
        ["CronJob.batch"] = 6,
    };

    /// <summary>Everything the table does not name comes last.</summary>
    public const int Last = 7;

    public static int Rank(ResourceMapping kind) => Ranks.GetValueOrDefault(kind.GroupKind, Last);

    /// <summary>Namespaces and CRDs: what the rest of a release may need the cluster to know before it can be applied.</summary>
    public static bool IsFoundation(ResourceMapping kind) => Rank(kind) <= 1;
}
