using System.Globalization;
using System.Text.Json.Nodes;

namespace Onward.Testing.Kubernetes;

/// <summary>
/// CustomResourceDefinitions as the API server treats them (apiextensions.k8s.io/v1): a definition is checked when it
/// is written, its resources are served once it is <c>Established</c>, and custom objects are checked against the
/// version's structural schema: types, required fields and enums are enforced, unknown fields are pruned, or refused
/// when the request asks for <c>fieldValidation=Strict</c> (as kubectl does by default).
/// </summary>
public static class CustomResources
{
    /// <summary>What is wrong with a CRD, in the API server's words; null when it is valid.</summary>
    public static string? Problem(JsonObject crd)
    {
        var name = Text(crd["metadata"]?["name"]) ?? "";
        var spec = crd["spec"] as JsonObject;
        var group = Text(spec?["group"]) ?? "";
        var plural = Text(spec?["names"]?["plural"]) ?? "";
        var kind = Text(spec?["names"]?["kind"]) ?? "";
        var scope = Text(spec?["scope"]) ?? "";
        var versions = (spec?["versions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var problems = new List<string>();
        if (!group.Contains('.', StringComparison.Ordinal))
        {
            problems.Add($"spec.group: Invalid value: \"{group}\": should be a domain with at least one dot");
        }
        if (plural.Length == 0)
        {
            problems.Add("spec.names.plural: Required value");
        }
        if (kind.Length == 0)
        {
            problems.Add("spec.names.kind: Required value");
        }
        if (name != $"{plural}.{group}")
        {
            problems.Add($"metadata.name: Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group");
        }
        if (scope is not ("Namespaced" or "Cluster"))
        {
            problems.Add($"spec.scope: Unsupported value: \"{scope}\": supported values: \"Cluster\", \"Namespaced\"");
        }
        if (versions.Count == 0)
        {
            problems.Add("spec.versions: Invalid value: null: must have exactly one version marked as storage version");
        }
        else if (versions.Count(v => v["storage"] is JsonValue s && s.TryGetValue<bool>(out var b) && b) != 1)
        {
            problems.Add("spec.versions: Invalid value: must have exactly one version marked as storage version");
        }
        for (var i = 0; i < versions.Count; i++)
        {
            if (string.IsNullOrEmpty(Text(versions[i]["name"])))
            {
                problems.Add($"spec.versions[{i}].name: Required value");
            }
            if (versions[i]["schema"]?["openAPIV3Schema"] is not JsonObject)
            {
                problems.Add($"spec.versions[{i}].schema.openAPIV3Schema: Required value: schemas are required");
            }
        }
        return problems.Count == 0 ? null : $"CustomResourceDefinition.apiextensions.k8s.io \"{name}\" is invalid: {string.Join(", ", problems)}";
    }

    /// <summary>The resource types a valid CRD serves: its served versions, the storage version first.</summary>
    public static List<ResourceType> Types(JsonObject crd)
    {
        var spec = crd["spec"]!;
        var group = Text(spec["group"])!;
        var plural = Text(spec["names"]!["plural"])!;
        var kind = Text(spec["names"]!["kind"])!;
        var namespaced = Text(spec["scope"]) == "Namespaced";
        return (spec["versions"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(v => v["served"] is not JsonValue served || !served.TryGetValue<bool>(out var on) || on)
            .OrderByDescending(v => v["storage"] is JsonValue s && s.TryGetValue<bool>(out var b) && b)
            .Select(v => new ResourceType(group, Text(v["name"])!, plural, kind, namespaced, HasStatus: v["subresources"]?["status"] is not null))
            .ToList();
    }

    /// <summary>The schema of <paramref name="type"/>'s version in <paramref name="crd"/>.</summary>
    public static JsonObject? Schema(JsonObject crd, ResourceType type) =>
        (crd["spec"]?["versions"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(v => Text(v["name"]) == type.Version)?["schema"]?["openAPIV3Schema"] as JsonObject;

    /// <summary>
    /// Checks and prunes a custom object against its schema (apiVersion, kind and metadata are the API server's own).
    /// Returns the problems in the API server's words, empty when the object may be stored.
    /// </summary>
    public static List<string> Check(JsonObject schema, JsonObject item, bool strict)
    {
        var problems = new List<string>();
        var properties = schema["properties"] as JsonObject ?? [];
        foreach (var (key, value) in item.ToList())
        {
            if (key is "apiVersion" or "kind" or "metadata")
            {
                continue;
            }
            if (properties[key] is JsonObject property)
            {
                CheckNode(property, value, key, problems, strict);
            }
            else if (!PreservesUnknown(schema))
            {
                Unknown(item, key, key, problems, strict);
            }
        }
        Required(schema, item, "", problems);
        return problems;
    }

    private static void CheckNode(JsonObject schema, JsonNode? node, string path, List<string> problems, bool strict)
    {
        if (node is null)
        {
            if (schema["nullable"] is not JsonValue nullable || !nullable.GetValue<bool>())
            {
                problems.Add($"{path}: Invalid value: \"null\": {path} in body must be of type {Text(schema["type"]) ?? "object"}: \"null\"");
            }
            return;
        }
        var type = Text(schema["type"]);
        if (schema["x-kubernetes-int-or-string"] is JsonValue intOrString && intOrString.GetValue<bool>())
        {
            if (!(IsInteger(node) || IsString(node)))
            {
                problems.Add($"{path}: Invalid value: \"{Describe(node)}\": {path} in body must be of type integer or string: \"{Describe(node)}\"");
            }
            return;
        }
        var fits = type switch
        {
            "object" => node is JsonObject,
            "array" => node is JsonArray,
            "string" => IsString(node),
            "integer" => IsInteger(node),
            "number" => node is JsonValue v && (v.TryGetValue<double>(out _) || v.TryGetValue<long>(out _)),
            "boolean" => node is JsonValue b && b.TryGetValue<bool>(out _),
            _ => true,
        };
        if (!fits)
        {
            problems.Add($"{path}: Invalid value: \"{Describe(node)}\": {path} in body must be of type {type}: \"{Describe(node)}\"");
            return;
        }
        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, node)))
        {
            problems.Add($"{path}: Unsupported value: {node.ToJsonString()}: supported values: {string.Join(", ", allowed.Select(a => a!.ToJsonString()))}");
        }
        if (schema["minimum"] is JsonValue minimum && node is JsonValue number && number.TryGetValue<double>(out var n) && n < minimum.GetValue<double>())
        {
            problems.Add($"{path}: Invalid value: {n.ToString(CultureInfo.InvariantCulture)}: {path} in body should be greater than or equal to {minimum.ToJsonString()}");
        }
        switch (node)
        {
            case JsonObject obj:
                var properties = schema["properties"] as JsonObject;
                var additional = schema["additionalProperties"] as JsonObject;
                foreach (var (key, value) in obj.ToList())
                {
                    var child = $"{path}.{key}";
                    if (properties?[key] is JsonObject property)
                    {
                        CheckNode(property, value, child, problems, strict);
                    }
                    else if (additional is not null)
                    {
                        CheckNode(additional, value, child, problems, strict);
                    }
                    else if (!PreservesUnknown(schema))
                    {
                        Unknown(obj, key, child, problems, strict);
                    }
                }
                Required(schema, obj, path + ".", problems);
                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    CheckNode(items, array[i], $"{path}[{i}]", problems, strict);
                }
                break;
        }
    }

    private static void Required(JsonObject schema, JsonObject obj, string prefix, List<string> problems)
    {
        foreach (var required in (schema["required"] as JsonArray ?? []).Select(r => Text(r)).OfType<string>())
        {
            if (!obj.ContainsKey(required))
            {
                problems.Add($"{prefix}{required}: Required value");
            }
        }
    }

    private static void Unknown(JsonObject owner, string key, string path, List<string> problems, bool strict)
    {
        if (strict)
        {
            problems.Add($".{path}: field not declared in schema");
        }
        else
        {
            // Pruning (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#field-pruning).
            owner.Remove(key);
        }
    }

    private static bool PreservesUnknown(JsonObject schema) =>
        schema["x-kubernetes-preserve-unknown-fields"] is JsonValue preserve && preserve.GetValue<bool>();

    private static bool IsString(JsonNode node) => node is JsonValue v && v.TryGetValue<string>(out _);

    private static bool IsInteger(JsonNode node) =>
        node is JsonValue v && (v.TryGetValue<long>(out _) || v.TryGetValue<int>(out _) || v.TryGetValue<double>(out var d) && Math.Abs(d % 1) < double.Epsilon);

    /// <summary>The JSON type of a value, as the API server's messages name it.</summary>
    private static string Describe(JsonNode node) => node switch
    {
        JsonObject => "object",
        JsonArray => "array",
        _ when IsString(node) => "string",
        _ when IsInteger(node) => "integer",
        JsonValue v when v.TryGetValue<bool>(out _) => "boolean",
        _ => "number",
    };

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
