namespace Onward.Testing.Kubernetes;

/// <summary>
/// A resource type as URLs name it: <c>/api/v1/…/pods</c> is ("", "v1", "pods"); <c>/apis/apps/v1/…/deployments</c>
/// is ("apps", "v1", "deployments"). <see cref="HasStatus"/> says whether <c>status</c> is a subresource.
/// </summary>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced = true, bool HasStatus = true)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The lower-case singular name discovery shows, e.g. <c>deployment</c>.</summary>
    public string Singular => Kind.ToLowerInvariant();

    /// <summary>The built-in kinds the test server serves, as the real API names them.</summary>
    public static readonly IReadOnlyList<ResourceType> Known =
    [
        new("", "v1", "namespaces", "Namespace", Namespaced: false),
        new("", "v1", "nodes", "Node", Namespaced: false),
        new("", "v1", "persistentvolumes", "PersistentVolume", Namespaced: false),
        new("", "v1", "pods", "Pod"),
        new("", "v1", "services", "Service"),
        new("", "v1", "endpoints", "Endpoints", HasStatus: false),
        new("", "v1", "configmaps", "ConfigMap", HasStatus: false),
        new("", "v1", "secrets", "Secret", HasStatus: false),
        new("", "v1", "events", "Event", HasStatus: false),
        new("", "v1", "serviceaccounts", "ServiceAccount", HasStatus: false),
        new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim"),
        new("", "v1", "limitranges", "LimitRange", HasStatus: false),
        new("", "v1", "resourcequotas", "ResourceQuota"),
        new("apps", "v1", "deployments", "Deployment"),
        new("apps", "v1", "replicasets", "ReplicaSet"),
        new("apps", "v1", "statefulsets", "StatefulSet"),
        new("apps", "v1", "daemonsets", "DaemonSet"),
        new("apps", "v1", "controllerrevisions", "ControllerRevision", HasStatus: false),
        new("batch", "v1", "jobs", "Job"),
        new("batch", "v1", "cronjobs", "CronJob"),
        new("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler"),
        new("autoscaling", "v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler"),
        new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget"),
        new("networking.k8s.io", "v1", "ingresses", "Ingress"),
        new("networking.k8s.io", "v1", "ingressclasses", "IngressClass", Namespaced: false, HasStatus: false),
        new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", HasStatus: false),
        new("rbac.authorization.k8s.io", "v1", "roles", "Role", HasStatus: false),
        new("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", HasStatus: false),
        new("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", Namespaced: false, HasStatus: false),
        new("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", Namespaced: false, HasStatus: false),
        new("storage.k8s.io", "v1", "storageclasses", "StorageClass", Namespaced: false, HasStatus: false),
        new("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", Namespaced: false, HasStatus: false),
        new("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", Namespaced: false, HasStatus: false),
        new("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", Namespaced: false, HasStatus: false),
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", Namespaced: false),
    ];

    /// <summary>A built-in type by its plural, e.g. <c>ResourceType.Of("deployments")</c>.</summary>
    public static ResourceType Of(string plural) => Known.First(t => t.Plural == plural);
}
