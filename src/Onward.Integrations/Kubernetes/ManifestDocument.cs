using System.Text.Json.Nodes;

namespace Onward.Integrations.Kubernetes;

/// <summary>One document of a release's manifests, as read or rendered, before it is checked.</summary>
/// <param name="Source">Where it came from, e.g. <c>deploy/k8s/web.yaml (document 2)</c>.</param>
public sealed record ManifestDocument(string Source, JsonNode? Body);
