namespace Onward.Integrations.Kubernetes;

/// <summary>The kinds Onward renders and applies, with their API paths and apply order.</summary>
public sealed record KindInfo(string Kind, string Group, string Version, string Plural, bool Namespaced, int Order, bool Workload)
{
    /// <summary>The URL prefix of the kind's collection: <c>/api/v1</c> or <c>/apis/GROUP/VERSION</c>.</summary>
    public string ApiPath => Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
}

public static class KnownKinds
{
    // Namespaces and CRDs first, then what workloads read (accounts, config), then services, then workloads.
    public static readonly IReadOnlyList<KindInfo> All =
    [
        new("Namespace", "", "v1", "namespaces", false, 0, false),
        new("CustomResourceDefinition", "apiextensions.k8s.io", "v1", "customresourcedefinitions", false, 1, false),
        new("ServiceAccount", "", "v1", "serviceaccounts", true, 2, false),
        new("Role", "rbac.authorization.k8s.io", "v1", "roles", true, 2, false),
        new("RoleBinding", "rbac.authorization.k8s.io", "v1", "rolebindings", true, 2, false),
        new("ConfigMap", "", "v1", "configmaps", true, 3, false),
        new("Secret", "", "v1", "secrets", true, 3, false),
        new("PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", true, 3, false),
        new("Service", "", "v1", "services", true, 4, false),
        new("Ingress", "networking.k8s.io", "v1", "ingresses", true, 4, false),
        new("PodDisruptionBudget", "policy", "v1", "poddisruptionbudgets", true, 4, false),
        new("HorizontalPodAutoscaler", "autoscaling", "v2", "horizontalpodautoscalers", true, 6, false),
        new("Deployment", "apps", "v1", "deployments", true, 5, true),
        new("StatefulSet", "apps", "v1", "statefulsets", true, 5, true),
        new("DaemonSet", "apps", "v1", "daemonsets", true, 5, true),
        new("Job", "batch", "v1", "jobs", true, 5, true),
        new("CronJob", "batch", "v1", "cronjobs", true, 5, false),
    ];

    public static KindInfo? Find(string? apiVersion, string? kind) =>
        All.FirstOrDefault(k => k.Kind == kind && k.ApiVersion == apiVersion);
}
