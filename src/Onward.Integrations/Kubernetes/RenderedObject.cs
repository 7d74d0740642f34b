using System.Text.Json.Nodes;
using Onward.Core.Kubernetes;

namespace Onward.Integrations.Kubernetes;

/// <summary>One object ready to apply: its kind as the cluster serves it, where it goes, its body, and where it came from.</summary>
/// <param name="Source">Where the object was written, e.g. <c>deploy/k8s/web.yaml (document 2)</c>.</param>
public sealed record RenderedObject(ResourceMapping Kind, string? Namespace, string Name, JsonObject Body, string Source = "")
{
    /// <summary>The digests of its secret values when it was read back from what was kept (its body then holds <c>***</c> for them).</summary>
    public SecretDigests? Secrets { get; init; }

    /// <summary>Its Helm hook, when a chart annotated it as one: then it is applied at its event, not with the release.</summary>
    public HelmHook? Hook => HelmHook.Of(Body);

    public string Describe() => $"{Kind.Kind}/{Name}" + (Namespace is null ? "" : $" in {Namespace}");

    /// <summary>The object's identity: group, kind, namespace and name.</summary>
    public (string GroupKind, string? Namespace, string Name) Identity => (Kind.GroupKind, Namespace, Name);
}
