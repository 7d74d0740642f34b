using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Onward.Integrations.Notifications;

/// <summary>Reads a git host's JSON answers leniently: what is missing or of another type is null, never an exception.</summary>
internal static class HostAnswers
{
    public static JsonNode? Parse(string? answer)
    {
        try
        {
            return answer is null ? null : JsonNode.Parse(answer);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The object's numeric <c>id</c>, as text.</summary>
    public static string? IdOf(JsonObject o) =>
        o["id"] is JsonValue v && v.TryGetValue<long>(out var id) ? id.ToString(CultureInfo.InvariantCulture) : null;

    public static string? Text(JsonObject o, string field) =>
        o[field] is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    /// <summary>A positive whole number; null otherwise.</summary>
    public static long? Whole(JsonObject o, string field) =>
        o[field] is JsonValue v && v.TryGetValue<long>(out var n) && n > 0 ? n : null;
}
