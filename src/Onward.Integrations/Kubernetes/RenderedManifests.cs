using System.Text.Json.Nodes;
using Onward.Core.Kubernetes;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// A deployment's rendered objects as kept in the database: each with where it came from and how the cluster serves
/// its kind, so that a restore, a prune or a drift check works from them without the repository or discovery. Secret
/// values never go in: each stands as <c>***</c>, with a salted digest per key beside the body (see <see cref="SecretValues"/>).
/// </summary>
public static class RenderedManifests
{
    /// <param name="secretKinds">The kinds whose values are kept out (Secret, and the service's <c>deploy.secrets</c>).</param>
    public static string Serialize(IEnumerable<RenderedObject> objects, IReadOnlyList<SecretKind> secretKinds) =>
        new JsonObject
        {
            ["objects"] = new JsonArray(objects.Select(o =>
            {
                var (body, digests) = o.Secrets is null ? SecretValues.Mask(o.Body, secretKinds, SecretValues.NewSalt()) : (o.Body, o.Secrets);
                var entry = new JsonObject
                {
                    ["source"] = o.Source,
                    ["group"] = o.Kind.Group,
                    ["version"] = o.Kind.Version,
                    ["resource"] = o.Kind.Plural,
                    ["namespaced"] = o.Kind.Namespaced,
                    ["body"] = body.DeepClone(),
                };
                if (digests is not null)
                {
                    entry["secrets"] = new JsonObject
                    {
                        ["salt"] = digests.Salt,
                        ["fields"] = new JsonArray([.. digests.Fields.Select(f => (JsonNode?)f)]),
                        ["digests"] = new JsonObject(digests.Digests.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)new JsonObject
                        {
                            ["digest"] = d.Value,
                            ["field"] = digests.Places[d.Key].Field,
                            ["name"] = digests.Places[d.Key].Name,
                        }))),
                    };
                }
                return (JsonNode)entry;
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
            return new RenderedObject(kind, kind.Namespaced ? ns : null, Text(body["metadata"]?["name"]) ?? "", body, Text(entry["source"]) ?? "")
            {
                Secrets = entry["secrets"] is JsonObject secrets ? DigestsOf(secrets) : null,
            };
        }).ToList();
    }

    /// <summary>The objects as a multi-document YAML stream, for a person to read what was applied, secret values as <c>***</c>.</summary>
    public static string ToYaml(string text, IReadOnlyList<SecretKind> secretKinds) =>
        YamlDocuments.Write(Deserialize(text).Select(o => (JsonNode)(o.Secrets is null ? SecretValues.Mask(o.Body, secretKinds, "").Masked : o.Body)));

    private static SecretDigests DigestsOf(JsonObject secrets)
    {
        var kept = (secrets["digests"] as JsonObject ?? []).Where(d => d.Value is JsonObject { } o && Text(o["digest"]) is not null && Text(o["field"]) is not null)
            .ToDictionary(d => d.Key, d => (JsonObject)d.Value!, StringComparer.Ordinal);
        return new SecretDigests(
            Text(secrets["salt"]) ?? "",
            [.. (secrets["fields"] as JsonArray ?? []).Select(Text).OfType<string>()],
            kept.ToDictionary(d => d.Key, d => Text(d.Value["digest"])!, StringComparer.Ordinal),
            kept.ToDictionary(d => d.Key, d => new SecretPlace(Text(d.Value["field"])!, Text(d.Value["name"])), StringComparer.Ordinal));
    }

    // The kinds earlier versions applied, whose resources are named by the plain rule.
    private static string LegacyPlural(string kind) => kind switch
    {
        "Ingress" => "ingresses",
        "NetworkPolicy" => "networkpolicies",
        _ => kind.ToLowerInvariant() + "s",
    };

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
