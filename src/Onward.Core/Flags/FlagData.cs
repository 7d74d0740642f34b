using System.Text.Json;
using System.Text.Json.Nodes;

namespace Onward.Core.Flags;

/// <summary>Converts between JSON and the value model of <see cref="JsValues"/> (numbers are doubles, as in JavaScript and flagd's Go engine).</summary>
public static class FlagData
{
    public static readonly IReadOnlyDictionary<string, object?> EmptyObject = new Dictionary<string, object?>();

    public static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => FromJson(p.Value), StringComparer.Ordinal) as IReadOnlyDictionary<string, object?>,
        JsonArray a => a.Select(FromJson).ToList() as IReadOnlyList<object?>,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => v.TryGetValue<double>(out var d) ? d : double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture),
            JsonValueKind.String => v.GetValue<string>(),
            _ => null,
        },
        _ => null,
    };

    public static object? FromJson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    map[property.Name] = FromJson(property.Value);
                }
                return map;
            case JsonValueKind.Array:
                var list = new List<object?>(element.GetArrayLength());
                foreach (var item in element.EnumerateArray())
                {
                    list.Add(FromJson(item));
                }
                return list;
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Number:
                return element.GetDouble();
            case JsonValueKind.String:
                return element.GetString();
            default:
                return null;
        }
    }

    public static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        bool b => JsonValue.Create(b),
        double d when d == Math.Floor(d) && Math.Abs(d) < 9007199254740992 => JsonValue.Create((long)d),
        double d => double.IsFinite(d) ? JsonValue.Create(d) : null,
        string s => JsonValue.Create(s),
        IReadOnlyList<object?> list => new JsonArray(list.Select(ToJson).ToArray()),
        IReadOnlyDictionary<string, object?> map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key, ToJson(p.Value)))),
        _ => null,
    };
}
