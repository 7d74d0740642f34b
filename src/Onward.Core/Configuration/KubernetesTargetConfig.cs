namespace Onward.Core.Configuration;

/// <summary>
/// A cluster and namespace to deploy to. Credentials come from a kubeconfig (<see cref="Kubeconfig"/>, default
/// <c>$KUBECONFIG</c> or <c>~/.kube/config</c>, with <see cref="Context"/>), from the pod's service account
/// (<see cref="InCluster"/>), or from an API URL and a bearer token.
/// </summary>
public sealed record KubernetesTargetConfig(string? Context, string Namespace)
{
    public string? Kubeconfig { get; init; }

    public string? Server { get; init; }

    public string? Token { get; init; }

    public bool InCluster { get; init; }

    /// <summary>Whether Onward creates <see cref="Namespace"/> when it does not exist yet (and the manifests do not make it).</summary>
    public bool CreateNamespace { get; init; } = true;

    /// <summary>What identifies the cluster and the credentials: environments that share it share one client and its watches.</summary>
    public string ClusterKey => Server is not null ? $"server:{Server}:{Token?.GetHashCode(StringComparison.Ordinal)}"
        : InCluster ? "in-cluster"
        : $"kubeconfig:{Kubeconfig}:{Context}";
}
