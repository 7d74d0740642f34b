using System.Text.Json.Nodes;

namespace Onward.Testing.Kubernetes;

/// <summary>One change in the store, as a watch stream sends it; <see cref="Previous"/> is the object before a change.</summary>
public sealed record WatchEvent(long ResourceVersion, ResourceType Type, string? Namespace, string Kind, JsonObject Item, JsonObject? Previous = null);
