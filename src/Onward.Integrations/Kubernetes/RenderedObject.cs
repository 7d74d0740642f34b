using System.Text.Json.Nodes;

namespace Onward.Integrations.Kubernetes;

/// <summary>One object ready to apply: where it goes and its body.</summary>
public sealed record RenderedObject(KindInfo Kind, string? Namespace, string Name, JsonObject Body)
{
    public string Describe() => $"{Kind.Kind}/{Name}" + (Namespace is null ? "" : $" in {Namespace}");
}
