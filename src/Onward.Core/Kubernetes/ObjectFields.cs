using System.Text.Json.Nodes;

namespace Onward.Core.Kubernetes;

/// <summary>Reading fields of objects as the API server returns them, with the defaults Go's zero values give.</summary>
internal static class ObjectFields
{
    public static string? Kind(JsonNode o) => Text(o, "kind");

    /// <summary>The API group from <c>apiVersion</c>: <c>apps</c> for <c>apps/v1</c>, empty for the core group.</summary>
    public static string Group(JsonNode o) => Text(o, "apiVersion") is { } apiVersion && apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion.Split('/')[0] : "";

    public static string Name(JsonNode o) => Text(o["metadata"], "name") ?? "";

    public static Dictionary<string, string> Labels(JsonNode o) =>
        (o["metadata"]?["labels"] as JsonObject)?.ToDictionary(p => p.Key, p => Text(p.Value) ?? "") ?? [];

    public static IEnumerable<JsonNode> Conditions(JsonNode o) =>
        (o["status"]?["conditions"] as JsonArray ?? []).Where(c => c is JsonObject).Select(c => c!);

    public static JsonNode? Condition(JsonNode o, string type) => Conditions(o).FirstOrDefault(c => Text(c, "type") == type);

    public static bool IsTrue(JsonNode? condition) => Text(condition, "status") == "True";

    public static string? Text(JsonNode? o, string name) => Text(o is JsonObject obj ? obj[name] : null);

    public static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static bool Has(JsonNode o, params string[] path) => At(o, path) is JsonValue;

    /// <summary>A whole number at <paramref name="path"/>, or <paramref name="fallback"/> when absent or not a number.</summary>
    public static long Long(JsonNode o, long fallback, params string[] path) =>
        At(o, path) is JsonValue value
            ? value.TryGetValue<long>(out var number) ? number
            : value.TryGetValue<int>(out var small) ? small
            : value.TryGetValue<double>(out var real) && Math.Abs(real % 1) < double.Epsilon ? (long)real
            : fallback
            : fallback;

    public static long Long(JsonNode o, params string[] path) => Long(o, 0, path);

    public static bool Flag(JsonNode o, params string[] path) => At(o, path) is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;

    private static JsonNode? At(JsonNode o, string[] path)
    {
        JsonNode? node = o;
        foreach (var step in path)
        {
            node = node is JsonObject obj ? obj[step] : null;
        }
        return node;
    }
}
