namespace Onward.Testing.Kubernetes;

/// <summary>A resource type as URLs name it: <c>/api/v1/…/pods</c> is ("", "v1", "pods"); <c>/apis/apps/v1/…/deployments</c> is ("apps", "v1", "deployments").</summary>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced = true)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The kinds the test server serves, as the real API names them.</summary>
    public static readonly IReadOnlyList<ResourceType> Known =
    [
        new("", "v1", "namespaces", "Namespace", Namespaced: false),
        new("", "v1", "pods", "Pod"),
        new("", "v1", "services", "Service"),
        new("", "v1", "configmaps", "ConfigMap"),
        new("", "v1", "secrets", "Secret"),
        new("", "v1", "events", "Event"),
        new("", "v1", "serviceaccounts", "ServiceAccount"),
        new("apps", "v1", "deployments", "Deployment"),
        new("apps", "v1", "replicasets", "ReplicaSet"),
        new("apps", "v1", "statefulsets", "StatefulSet"),
        new("apps", "v1", "daemonsets", "DaemonSet"),
        new("apps", "v1", "controllerrevisions", "ControllerRevision"),
        new("batch", "v1", "jobs", "Job"),
    ];

    /// <summary>Kinds whose <c>status</c> is a subresource: writes to the object leave it alone.</summary>
    public bool HasStatus => Plural is not ("configmaps" or "secrets" or "events" or "serviceaccounts" or "controllerrevisions");
}
