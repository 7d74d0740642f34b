using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Onward.Testing.Kubernetes;

/// <summary>
/// The API server's own validation of built-in objects, where a manifest can get it wrong
/// (k8s.io/apimachinery/pkg/util/validation and the apps and batch validation): names, selectors that must match
/// their template's labels, containers without a name or image, fields that are immutable once created. Messages are
/// the API server's, so that what a deployment reports reads as it would against a real cluster.
/// </summary>
public static partial class ObjectRules
{
    private const string SubdomainHelp = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private const string LabelHelp = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    private const string Dns1035Help = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    /// <summary>The 422 message for an object that may not be stored as it is; null when it may.</summary>
    public static string? Problem(ResourceType type, JsonObject item, JsonObject? existing)
    {
        var name = Text(item, "metadata", "name") ?? "";
        var problems = new List<string>();
        var nameProblem = type.Plural switch
        {
            "namespaces" => name.Length <= 63 && LabelRegex().IsMatch(name) ? null : LabelHelp,
            "services" => name.Length <= 63 && Dns1035Regex().IsMatch(name) ? null : Dns1035Help,
            _ when type.Group == "rbac.authorization.k8s.io" => name is "." or ".." || name.Contains('/', StringComparison.Ordinal) || name.Contains('%', StringComparison.Ordinal)
                ? "may not be '.' or '..' and may not contain '/' or '%'" : null,
            _ => name.Length <= 253 && SubdomainRegex().IsMatch(name) ? null : SubdomainHelp,
        };
        if (nameProblem is not null)
        {
            problems.Add($"metadata.name: Invalid value: \"{name}\": {nameProblem}");
        }
        if (type.Group is "apps" && type.Plural is "deployments" or "statefulsets" or "daemonsets" or "replicasets")
        {
            Selector(item, problems);
            Containers(item["spec"]?["template"]?["spec"], "spec.template.spec", problems);
            if (existing is not null && existing["spec"]?["selector"] is { } before && !JsonNode.DeepEquals(before, item["spec"]?["selector"]))
            {
                problems.Add($"spec.selector: Invalid value: {Go(item["spec"]?["selector"])}: field is immutable");
            }
        }
        if (type.Plural == "jobs" && type.Group == "batch")
        {
            Containers(item["spec"]?["template"]?["spec"], "spec.template.spec", problems);
            if (existing is not null && !JsonNode.DeepEquals(Template(existing), Template(item)))
            {
                problems.Add("spec.template: Invalid value: field is immutable");
            }
        }
        if (type.Plural == "pods" && type.Group.Length == 0 && existing is null)
        {
            Containers(item["spec"], "spec", problems);
        }
        if (type.Plural == "services" && type.Group.Length == 0)
        {
            var ports = item["spec"]?["ports"] as JsonArray ?? [];
            for (var i = 0; i < ports.Count; i++)
            {
                if (ports[i]?["port"] is null)
                {
                    problems.Add($"spec.ports[{i}].port: Required value");
                }
            }
        }
        return problems.Count == 0 ? null : $"{type.Kind}{(type.Group.Length > 0 ? "." + type.Group : "")} \"{name}\" is invalid: {string.Join(", ", problems)}";
    }

    private static void Selector(JsonObject item, List<string> problems)
    {
        if (item["spec"]?["selector"] is not JsonObject selector)
        {
            problems.Add("spec.selector: Required value");
            return;
        }
        var labels = item["spec"]?["template"]?["metadata"]?["labels"] as JsonObject ?? [];
        var matches = (selector["matchLabels"] as JsonObject ?? []).All(l => JsonNode.DeepEquals(labels[l.Key], l.Value));
        if (!matches || selector["matchLabels"] is null && selector["matchExpressions"] is null)
        {
            problems.Add($"spec.template.metadata.labels: Invalid value: {Go(labels)}: `selector` does not match template `labels`");
        }
    }

    private static void Containers(JsonNode? podSpec, string path, List<string> problems)
    {
        var containers = podSpec?["containers"] as JsonArray ?? [];
        if (containers.Count == 0)
        {
            problems.Add($"{path}.containers: Required value");
        }
        for (var i = 0; i < containers.Count; i++)
        {
            if (string.IsNullOrEmpty(Text(containers[i], "name")))
            {
                problems.Add($"{path}.containers[{i}].name: Required value");
            }
            if (string.IsNullOrEmpty(Text(containers[i], "image")))
            {
                problems.Add($"{path}.containers[{i}].image: Required value");
            }
        }
    }

    private static JsonNode? Template(JsonObject job)
    {
        var template = job["spec"]?["template"]?.DeepClone();
        // The job controller adds these labels itself; they are not the user's change.
        (template?["metadata"]?["labels"] as JsonObject)?.Remove("controller-uid");
        (template?["metadata"]?["labels"] as JsonObject)?.Remove("batch.kubernetes.io/controller-uid");
        (template?["metadata"]?["labels"] as JsonObject)?.Remove("job-name");
        (template?["metadata"]?["labels"] as JsonObject)?.Remove("batch.kubernetes.io/job-name");
        return template;
    }

    /// <summary>A map as Go's %#v prints it in validation messages.</summary>
    private static string Go(JsonNode? node) => node is JsonObject map
        ? "map[string]string{" + string.Join(", ", map.Select(p => $"\"{p.Key}\":{p.Value?.ToJsonString()}")) + "}"
        : node?.ToJsonString() ?? "null";

    private static string? Text(JsonNode? node, params string[] path)
    {
        foreach (var step in path)
        {
            node = node is JsonObject o ? o[step] : null;
        }
        return node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex SubdomainRegex();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex LabelRegex();

    [GeneratedRegex(@"^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Regex();
}
