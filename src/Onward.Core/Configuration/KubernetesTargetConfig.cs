using System.Security.Cryptography;
using System.Text;

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

    /// <summary>
    /// What identifies the cluster and the credentials: environments that share it share one client and its watches,
    /// and replicas sharing a database share one lease on it. The same in every process (a token only as a digest).
    /// </summary>
    public string ClusterKey => Server is not null ? $"server:{Server}" + (Token is null ? "" : ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Token)))[..16])
        : InCluster ? "in-cluster"
        : $"kubeconfig:{Kubeconfig}:{Context}";

    /// <summary>The cluster in words for messages, without credentials.</summary>
    public string ClusterName => Server ?? (InCluster ? "the cluster Onward runs in" : $"{Kubeconfig ?? "the default kubeconfig"}" + (Context is null ? "" : $" (context {Context})"));
}
