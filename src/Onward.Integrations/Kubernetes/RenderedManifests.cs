using System.Text.Json.Nodes;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// A deployment's rendered objects as kept in the database: each with where it came from and how the cluster serves
/// its kind, so that a restore, a prune or a drift check works from them without the repository or discovery.
/// </summary>
public static class RenderedManifests
{
    public static string Serialize(IEnumerable<RenderedObject> objects) =>
        new JsonObject
        {
            ["objects"] = new JsonArray(objects.Select(o => (JsonNode)new JsonObject
            {
                ["source"] = o.Source,
                ["group"] = o.Kind.Group,
                ["version"] = o.Kind.Version,
                ["resource"] = o.Kind.Plural,
                ["namespaced"] = o.Kind.Namespaced,
                ["body"] = o.Body.DeepClone(),
            }).ToArray()),
        }.ToJsonString();

    public static List<RenderedObject> Deserialize(string text)
    {
        var root = JsonNode.Parse(text);
        // Files written before manifests moved into the database were a bare array of {namespace, body}.
        var entries = root is JsonArray legacy ? legacy : root?["objects"] as JsonArray ?? [];
        return entries.OfType<JsonObject>().Select(entry =>
        {
            var body = (JsonObject)entry["body"]!.DeepClone();
            var apiVersion = Text(body["apiVersion"]) ?? "";
            var group = Text(entry["group"]) ?? (apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion.Split('/')[0] : "");
            var version = Text(entry["version"]) ?? apiVersion.Split('/')[^1];
            var kindName = Text(body["kind"]) ?? "";
            var ns = Text(body["metadata"]?["namespace"]);
            var kind = new ResourceMapping(group, version, Text(entry["resource"]) ?? LegacyPlural(kindName), kindName,
                entry["namespaced"] is JsonValue scoped ? scoped.GetValue<bool>() : ns is not null);
            return new RenderedObject(kind, kind.Namespaced ? ns : null, Text(body["metadata"]?["name"]) ?? "", body, Text(entry["source"]) ?? "");
        }).ToList();
    }

    /// <summary>The objects as a multi-document YAML stream, for a person to read what was applied.</summary>
    public static string ToYaml(string text) =>
        YamlDocuments.Write(Deserialize(text).Select(o => (JsonNode)o.Body));

    // The kinds earlier versions applied, whose resources are named by the plain rule.
    private static string LegacyPlural(string kind) => kind switch
    {
        "Ingress" => "ingresses",
        "NetworkPolicy" => "networkpolicies",
        _ => kind.ToLowerInvariant() + "s",
    };

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
