using Onward.Core.Kubernetes;

namespace Onward.Core.Configuration;

/// <summary>
/// How a service is deployed: for clusters, its manifests (a directory, plain or a Kustomize overlay, which may name
/// <c>{environment}</c>) or a command that renders them; for the local target, a command and a health URL.
/// </summary>
public sealed record DeployConfig(string? Manifests, LocalDeployConfig? Local)
{
    /// <summary>A command whose standard output is the manifests (Helm, jsonnet, cdk8s…), instead of <see cref="Manifests"/>.</summary>
    public RenderConfig? Render { get; init; }

    /// <summary>A Helm chart in the repository, rendered with <c>helm template</c>, instead of <see cref="Manifests"/>.</summary>
    public HelmConfig? Helm { get; init; }

    /// <summary>Whether objects a release no longer contains are deleted once it is verified.</summary>
    public bool Prune { get; init; } = true;

    /// <summary>Whether drift found in the cluster is repaired by applying the current release again.</summary>
    public bool SelfHeal { get; init; }

    /// <summary>Kinds marked as holding secrets (<c>deploy.secrets</c>), masked like a Secret's data.</summary>
    public IReadOnlyList<SecretKind> Secrets { get; init; } = [];

    /// <summary>Every kind whose values Onward masks for this service: Secret and the marked ones.</summary>
    public IReadOnlyList<SecretKind> SecretKinds => SecretKind.With(Secrets);

    /// <summary>The manifests directory for one environment: <c>{environment}</c> and <c>{service}</c> filled in.</summary>
    public string? ManifestsFor(string service, string environment) =>
        Manifests?.Replace("{environment}", environment, StringComparison.Ordinal).Replace("{service}", service, StringComparison.Ordinal).Trim('/');
}
