using Onward.Core.Pipeline;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// A kind as the cluster serves it, from its API discovery: the group, version and plural resource name its URLs use,
/// and whether its objects live in a namespace. Every URL Onward asks a cluster for is built here, with each name and
/// query value escaped, so that no name from a manifest or a cluster can change which URL is asked for.
/// </summary>
public sealed record ResourceMapping(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The URL prefix of the kind's group-version: <c>/api/v1</c> or <c>/apis/GROUP/VERSION</c>.</summary>
    public string ApiPath => Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";

    /// <summary>The collection's URL, in <paramref name="ns"/> or (null) across the cluster, with a query.</summary>
    public string CollectionPath(string? ns, params (string Name, string Value)[] query) =>
        (Namespaced && ns is not null ? $"{ApiPath}/namespaces/{Segment(ns)}/{Plural}" : $"{ApiPath}/{Plural}") + Query(query);

    /// <summary>An object's URL, or its <paramref name="subresource"/>'s (<c>log</c>, <c>status</c>), with a query.</summary>
    public string ObjectPath(string? ns, string name, string? subresource = null, params (string Name, string Value)[] query) =>
        $"{CollectionPath(ns)}/{Segment(name)}" + (subresource is null ? "" : "/" + Segment(subresource)) + Query(query);

    /// <summary>
    /// One segment of a path, escaped; <c>.</c>, <c>..</c> and nothing are refused, since a URL would read them as a
    /// step in the path (no object can be named so).
    /// </summary>
    private static string Segment(string name) => name is "" or "." or ".."
        ? throw new PermanentFailureException($"'{name}' is not a name a Kubernetes object can have")
        : Uri.EscapeDataString(name);

    /// <summary><c>?a=1&amp;b=2</c> with names and values escaped, or nothing.</summary>
    public static string Query(params (string Name, string Value)[] query) =>
        query.Length == 0 ? "" : "?" + string.Join("&", query.Select(q => $"{Uri.EscapeDataString(q.Name)}={Uri.EscapeDataString(q.Value)}"));

    /// <summary>Group and kind, the identity of a kind across versions, e.g. <c>Deployment.apps</c>.</summary>
    public string GroupKind => Group.Length == 0 ? Kind : $"{Kind}.{Group}";

    public bool Is(string group, string kind) => Group == group && Kind == kind;

    /// <summary>Workloads whose rollout is followed through the Pods they own.</summary>
    public bool IsWorkload => Group is "apps" && Kind is "Deployment" or "StatefulSet" or "DaemonSet" || Is("batch", "Job");

    public static readonly ResourceMapping Namespaces = new("", "v1", "namespaces", "Namespace", false);
    public static readonly ResourceMapping Pods = new("", "v1", "pods", "Pod", true);
    public static readonly ResourceMapping Secrets = new("", "v1", "secrets", "Secret", true);
    public static readonly ResourceMapping Events = new("", "v1", "events", "Event", true);
    public static readonly ResourceMapping ReplicaSets = new("apps", "v1", "replicasets", "ReplicaSet", true);
    public static readonly ResourceMapping Deployments = new("apps", "v1", "deployments", "Deployment", true);
    public static readonly ResourceMapping Services = new("", "v1", "services", "Service", true);
    public static readonly ResourceMapping Definitions = new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false);
}
