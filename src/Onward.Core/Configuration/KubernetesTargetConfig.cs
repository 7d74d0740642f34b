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
}
