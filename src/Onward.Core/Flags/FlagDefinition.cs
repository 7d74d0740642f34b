using System.Text.Json.Nodes;

namespace Onward.Core.Flags;

/// <summary>One flag of a flagd document, compiled: its targeting is a <see cref="TargetingRule"/> (or the reason it cannot run).</summary>
/// <param name="Metadata">The flag's metadata merged over its flag set's (the flag's own entries win).</param>
public sealed record FlagDefinition(
    string Key,
    bool Enabled,
    IReadOnlyDictionary<string, JsonNode?> Variants,
    FlagValueType Type,
    string? DefaultVariant,
    JsonObject? Targeting,
    TargetingRule? Rule,
    string? RuleError,
    IReadOnlyDictionary<string, JsonNode?> Metadata)
{
    /// <summary>The flag as flagd's JSON (targeting after <c>$ref</c> substitution), for listings and diffs.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["state"] = Enabled ? "ENABLED" : "DISABLED",
            ["variants"] = new JsonObject(Variants.Select(v => KeyValuePair.Create(v.Key, v.Value?.DeepClone()))),
        };
        if (DefaultVariant is not null)
        {
            json["defaultVariant"] = DefaultVariant;
        }
        if (Targeting is { Count: > 0 })
        {
            json["targeting"] = Targeting.DeepClone();
        }
        if (Metadata.Count > 0)
        {
            json["metadata"] = new JsonObject(Metadata.Select(m => KeyValuePair.Create(m.Key, m.Value?.DeepClone())));
        }
        return json;
    }
}
