using System.Globalization;
using System.Text.Json.Nodes;
using Onward.Core.Messages;

namespace Onward.Core.Drift;

/// <summary>
/// Where a live object differs from what Onward applied, judged only on the fields Onward set: what the API server or
/// controllers add (defaults, status, other managers' fields, a sidecar a webhook injects) is not drift; a field Onward
/// set that now has another value, or is gone, is. Lists of named items (containers, ports, env) are matched by name.
/// </summary>
public static class ManifestDrift
{
    private const int ShownLength = 80;

    /// <param name="item">How the object is named in the differences, e.g. <c>Deployment/web in shop</c>.</param>
    /// <param name="ignored">Paths not to compare, e.g. <c>spec.replicas</c> when an autoscaler owns it.</param>
    public static List<DriftDifference> Compare(string item, JsonObject applied, JsonObject? live, IReadOnlySet<string>? ignored = null)
    {
        if (live is null)
        {
            return [new DriftDifference(item, null, null, null)];
        }
        var differences = new List<DriftDifference>();
        foreach (var (key, value) in applied)
        {
            if (key is "apiVersion" or "kind" or "status")
            {
                continue;
            }
            if (key == "metadata")
            {
                foreach (var part in new[] { "labels", "annotations" })
                {
                    if (value?[part] is JsonObject map)
                    {
                        Walk(item, $"metadata.{part}", map, live["metadata"]?[part], differences, ignored);
                    }
                }
                continue;
            }
            Walk(item, key, value, live[key], differences, ignored);
        }
        return differences;
    }

    private static void Walk(string item, string path, JsonNode? applied, JsonNode? live, List<DriftDifference> differences, IReadOnlySet<string>? ignored)
    {
        if (applied is null || ignored?.Contains(path) == true)
        {
            return;
        }
        switch (applied)
        {
            case JsonObject map when live is JsonObject liveMap:
                foreach (var (key, value) in map)
                {
                    Walk(item, $"{path}.{key}", value, liveMap[key], differences, ignored);
                }
                return;
            case JsonArray list when live is JsonArray liveList && Named(list):
                foreach (var element in list.OfType<JsonObject>())
                {
                    var name = element["name"]!.GetValue<string>();
                    var match = liveList.OfType<JsonObject>().FirstOrDefault(l => (l["name"] as JsonValue)?.ToString() == name);
                    if (match is null)
                    {
                        differences.Add(new DriftDifference(item, $"{path}[{name}]", "present", null));
                        continue;
                    }
                    Walk(item, $"{path}[{name}]", element, match, differences, ignored);
                }
                return;
            case JsonArray list when live is JsonArray liveList && list.Count == liveList.Count:
                for (var i = 0; i < list.Count; i++)
                {
                    Walk(item, $"{path}[{i}]", list[i], liveList[i], differences, ignored);
                }
                return;
            case JsonValue value when live is JsonValue liveValue && Text(value) == Text(liveValue):
                return;
            default:
                differences.Add(new DriftDifference(item, path, Show(applied), live is null ? null : Show(live)));
                return;
        }
    }

    private static bool Named(JsonArray list) =>
        list.Count > 0 && list.All(e => e is JsonObject o && o["name"] is JsonValue name && name.TryGetValue<string>(out _));

    /// <summary>A scalar's text, so that 80 and "80", or 1 and 1.0, compare equal as the API server treats them.</summary>
    private static string Text(JsonValue value) =>
        value.TryGetValue<string>(out var text) ? text
        : value.TryGetValue<double>(out var number) ? number.ToString(CultureInfo.InvariantCulture)
        : value.ToJsonString();

    private static string Show(JsonNode node)
    {
        var text = node is JsonValue value && value.TryGetValue<string>(out var s) ? s : node.ToJsonString();
        return TextCut.Within(text, ShownLength);
    }
}
