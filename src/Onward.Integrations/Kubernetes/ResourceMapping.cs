namespace Onward.Integrations.Kubernetes;

/// <summary>
/// A kind as the cluster serves it, from its API discovery: the group, version and plural resource name its URLs use,
/// and whether its objects live in a namespace.
/// </summary>
public sealed record ResourceMapping(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The URL prefix of the kind's group-version: <c>/api/v1</c> or <c>/apis/GROUP/VERSION</c>.</summary>
    public string ApiPath => Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";

    /// <summary>The collection's URL, in <paramref name="ns"/> or (null) across the cluster.</summary>
    public string CollectionPath(string? ns) => Namespaced && ns is not null ? $"{ApiPath}/namespaces/{ns}/{Plural}" : $"{ApiPath}/{Plural}";

    public string ObjectPath(string? ns, string name) => $"{CollectionPath(ns)}/{Uri.EscapeDataString(name)}";

    /// <summary>Group and kind, the identity of a kind across versions, e.g. <c>Deployment.apps</c>.</summary>
    public string GroupKind => Group.Length == 0 ? Kind : $"{Kind}.{Group}";

    public bool Is(string group, string kind) => Group == group && Kind == kind;

    /// <summary>Workloads whose rollout is followed through the Pods they own.</summary>
    public bool IsWorkload => Group is "apps" && Kind is "Deployment" or "StatefulSet" or "DaemonSet" || Is("batch", "Job");

    public static readonly ResourceMapping Namespaces = new("", "v1", "namespaces", "Namespace", false);
    public static readonly ResourceMapping Pods = new("", "v1", "pods", "Pod", true);
    public static readonly ResourceMapping Secrets = new("", "v1", "secrets", "Secret", true);
    public static readonly ResourceMapping ReplicaSets = new("apps", "v1", "replicasets", "ReplicaSet", true);
    public static readonly ResourceMapping Definitions = new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false);
}
