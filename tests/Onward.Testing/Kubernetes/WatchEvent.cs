using System.Text.Json.Nodes;

namespace Onward.Testing.Kubernetes;

/// <summary>One change in the store, as a watch stream sends it.</summary>
public sealed record WatchEvent(long ResourceVersion, ResourceType Type, string? Namespace, string Kind, JsonObject Item);
