using System.Text.Json;
using System.Text.Json.Nodes;
using Onward.Core.Messages;

namespace Onward.Core.Flags;

/// <summary>
/// A flagd flag definition document (https://flagd.dev/schema/v0/flags.json), parsed and compiled once: <c>flags</c>,
/// optional <c>$evaluators</c> (substituted wherever <c>{"$ref": name}</c> appears, as flagd does) and flag-set
/// <c>metadata</c>. <see cref="Parse"/> reports every problem with its JSON path; a document with problems still
/// yields the flags flagd would load (a flag whose targeting cannot run answers PARSE_ERROR).
/// </summary>
public sealed class FlagSet
{
    public const int MostFlags = 5000;
    public const int LongestKey = 256;

    public static readonly FlagSet Empty = new(new Dictionary<string, FlagDefinition>(StringComparer.Ordinal), new Dictionary<string, JsonNode?>());

    public FlagSet(IReadOnlyDictionary<string, FlagDefinition> flags, IReadOnlyDictionary<string, JsonNode?> metadata) =>
        (Flags, Metadata) = (flags, metadata);

    public IReadOnlyDictionary<string, FlagDefinition> Flags { get; }

    public IReadOnlyDictionary<string, JsonNode?> Metadata { get; }

    public static (FlagSet? Set, IReadOnlyList<FlagProblem> Problems) Parse(string json)
    {
        if (JsonText.Problem(System.Text.Encoding.UTF8.GetBytes(json)) is { } notText)
        {
            return (null, [new FlagProblem("$", notText)]);
        }
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            return (null, [new FlagProblem("$", $"not valid JSON: {e.Message}")]);
        }
        return Parse(root);
    }

    public static (FlagSet? Set, IReadOnlyList<FlagProblem> Problems) Parse(JsonNode? root)
    {
        var problems = new List<FlagProblem>();
        if (root is not JsonObject document)
        {
            return (null, [new FlagProblem("$", "a flag document is a JSON object: {\"flags\": {\"my-flag\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"off\"}}}")]);
        }
        foreach (var (name, _) in document)
        {
            if (name is not ("flags" or "$evaluators" or "metadata" or "$schema"))
            {
                problems.Add(new FlagProblem($"$.{name}", "unknown property; a flag document has `flags`, `$evaluators`, `metadata` and `$schema`"));
            }
        }
        var evaluators = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (document["$evaluators"] is { } evaluatorNode)
        {
            if (evaluatorNode is not JsonObject evaluatorMap)
            {
                problems.Add(new FlagProblem("$.$evaluators", "must be an object of named JsonLogic rules"));
            }
            else
            {
                foreach (var (name, rule) in evaluatorMap)
                {
                    if (rule is not JsonObject)
                    {
                        problems.Add(new FlagProblem($"$.$evaluators.{name}", "must be a JsonLogic rule (an object)"));
                    }
                    evaluators[name] = rule;
                }
            }
        }
        var setMetadata = ReadMetadata(document["metadata"], "$.metadata", problems);
        var flags = new Dictionary<string, FlagDefinition>(StringComparer.Ordinal);
        switch (document["flags"])
        {
            case null:
                problems.Add(new FlagProblem("$.flags", "missing; add `\"flags\": { \"my-flag\": { … } }`"));
                break;
            case JsonObject flagMap:
                if (flagMap.Count > MostFlags)
                {
                    problems.Add(new FlagProblem("$.flags", $"{flagMap.Count} flags; at most {MostFlags} in one document"));
                    break;
                }
                var expanded = new ExpandedNodes(evaluators);
                foreach (var (key, flagNode) in flagMap)
                {
                    if (Flag(key, flagNode, setMetadata, expanded, problems) is { } flag)
                    {
                        flags[key] = flag;
                    }
                }
                break;
            default:
                problems.Add(new FlagProblem("$.flags", "must be an object mapping each flag key to its definition"));
                break;
        }
        return (problems.Any(p => !p.Targeting) ? null : new FlagSet(flags, setMetadata), problems);
    }

    private static FlagDefinition? Flag(string key, JsonNode? node, IReadOnlyDictionary<string, JsonNode?> setMetadata, ExpandedNodes expanded, List<FlagProblem> problems)
    {
        var path = $"$.flags.{key}";
        var count = problems.Count;
        if (key.Length == 0 || key.Length > LongestKey)
        {
            problems.Add(new FlagProblem(path, $"a flag key has 1 to {LongestKey} characters"));
        }
        if (node is not JsonObject flag)
        {
            problems.Add(new FlagProblem(path, "must be an object with `state`, `variants` and optionally `defaultVariant`, `targeting`, `metadata`"));
            return null;
        }
        foreach (var (name, _) in flag)
        {
            if (name is not ("state" or "variants" or "defaultVariant" or "targeting" or "metadata"))
            {
                problems.Add(new FlagProblem($"{path}.{name}", "unknown property; a flag has `state`, `variants`, `defaultVariant`, `targeting` and `metadata`"));
            }
        }
        var state = (flag["state"] as JsonValue)?.GetValueKind() == JsonValueKind.String ? flag["state"]!.GetValue<string>() : null;
        if (state is not ("ENABLED" or "DISABLED"))
        {
            problems.Add(new FlagProblem($"{path}.state", state is null && flag["state"] is null ? "missing; set \"ENABLED\" or \"DISABLED\"" : "must be \"ENABLED\" or \"DISABLED\""));
        }
        var variants = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        FlagValueType? type = null;
        if (flag["variants"] is not JsonObject { Count: > 0 } variantMap)
        {
            problems.Add(new FlagProblem($"{path}.variants", "must be an object with at least one variant, e.g. {\"on\": true, \"off\": false}"));
        }
        else
        {
            foreach (var (name, value) in variantMap)
            {
                FlagValueType? variantType = value switch
                {
                    JsonObject => FlagValueType.Structure,
                    JsonValue v => v.GetValueKind() switch
                    {
                        JsonValueKind.True or JsonValueKind.False => FlagValueType.Boolean,
                        JsonValueKind.String => FlagValueType.Text,
                        JsonValueKind.Number => FlagValueType.Number,
                        _ => null,
                    },
                    _ => null,
                };
                if (name.Length == 0 || variantType is null)
                {
                    problems.Add(new FlagProblem($"{path}.variants.{name}", "a variant has a non-empty name and a boolean, string, number or object value"));
                    continue;
                }
                if (type is not null && type != variantType)
                {
                    problems.Add(new FlagProblem($"{path}.variants.{name}", $"is {Describe(variantType.Value)} but the flag's other variants are {Describe(type.Value)}; all variants of a flag have one type"));
                    continue;
                }
                type = variantType;
                variants[name] = value;
            }
        }
        string? defaultVariant = null;
        switch (flag["defaultVariant"])
        {
            case null:
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                defaultVariant = v.GetValue<string>();
                if (flag["variants"] is JsonObject known && !known.ContainsKey(defaultVariant))
                {
                    problems.Add(new FlagProblem($"{path}.defaultVariant", $"names \"{defaultVariant}\", which is not one of the variants ({string.Join(", ", known.Select(k => k.Key))})"));
                }
                break;
            default:
                problems.Add(new FlagProblem($"{path}.defaultVariant", "must be the name of a variant, or null for the caller's default"));
                break;
        }
        JsonObject? targeting = null;
        TargetingRule? rule = null;
        string? ruleError = null;
        switch (flag["targeting"])
        {
            case null:
                break;
            case JsonObject t:
                try
                {
                    // Counted before anything is copied: a few references to a large evaluator would otherwise make
                    // millions of nodes before any limit could look at them.
                    expanded.Take(t, $"{path}.targeting");
                    targeting = (JsonObject)Substitute(t.DeepClone(), expanded.Evaluators)!;
                    if (targeting.Count > 0)
                    {
                        rule = TargetingRule.Compile(targeting, $"{path}.targeting");
                    }
                }
                catch (RuleException e)
                {
                    targeting ??= t.DeepClone().AsObject();
                    ruleError = e.Message;
                    problems.Add(new FlagProblem(e.Path, e.Message, Targeting: true));
                }
                break;
            default:
                problems.Add(new FlagProblem($"{path}.targeting", "must be a JsonLogic rule (an object), or {} for none"));
                break;
        }
        var metadata = ReadMetadata(flag["metadata"], $"{path}.metadata", problems);
        if (problems.Skip(count).Any(p => !p.Targeting))
        {
            return null;
        }
        var merged = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (name, value) in setMetadata.Concat(metadata))
        {
            merged[name] = value;
        }
        return new FlagDefinition(key, state == "ENABLED", variants, type ?? FlagValueType.Boolean, defaultVariant, targeting, rule, ruleError, merged);
    }

    private static string Describe(FlagValueType type) => type switch
    {
        FlagValueType.Boolean => "a boolean",
        FlagValueType.Text => "a string",
        FlagValueType.Number => "a number",
        _ => "an object",
    };

    private static IReadOnlyDictionary<string, JsonNode?> ReadMetadata(JsonNode? node, string path, List<FlagProblem> problems)
    {
        var metadata = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (node is null)
        {
            return metadata;
        }
        if (node is not JsonObject map)
        {
            problems.Add(new FlagProblem(path, "must be an object of string, number or boolean values"));
            return metadata;
        }
        foreach (var (name, value) in map)
        {
            if (value is not JsonValue v || v.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
            {
                problems.Add(new FlagProblem($"{path}.{name}", "metadata values are strings, numbers or booleans"));
                continue;
            }
            metadata[name] = v.DeepClone();
        }
        return metadata;
    }

    /// <summary>The JSON nodes the document's targeting rules hold once every <c>$ref</c> is replaced, kept within the limits.</summary>
    private sealed class ExpandedNodes(Dictionary<string, JsonNode?> evaluators)
    {
        private readonly Dictionary<string, int> _sizes = new(StringComparer.Ordinal);
        private int _document;

        public Dictionary<string, JsonNode?> Evaluators => evaluators;

        /// <exception cref="RuleException">The flag's targeting, or the document's, would pass its limit.</exception>
        public void Take(JsonNode targeting, string path)
        {
            var nodes = Size(targeting, RuleLimits.MostNodes);
            if (nodes > RuleLimits.MostNodes)
            {
                throw new RuleException(path, $"the targeting holds more than {RuleLimits.Number(RuleLimits.MostNodes)} JSON values once its `$ref`s are replaced (limit: targeting size)");
            }
            _document += nodes;
            if (_document > RuleLimits.MostDocumentNodes)
            {
                throw new RuleException(path, $"the document's targeting rules hold more than {RuleLimits.Number(RuleLimits.MostDocumentNodes)} JSON values once their `$ref`s are replaced (limit: document size)");
            }
        }

        /// <summary>The nodes of <paramref name="node"/> with each <c>$ref</c> counted as the evaluator it names, up to <paramref name="most"/> + 1.</summary>
        private int Size(JsonNode? node, int most)
        {
            if (node is JsonObject { Count: 1 } o && o["$ref"] is JsonValue name && name.GetValueKind() == JsonValueKind.String
                && evaluators.TryGetValue(name.GetValue<string>(), out var evaluator))
            {
                var key = name.GetValue<string>();
                if (!_sizes.TryGetValue(key, out var size))
                {
                    _sizes[key] = size = RuleLimits.Count(evaluator, RuleLimits.MostNodes);
                }
                return size;
            }
            var count = 1;
            var children = node switch
            {
                JsonObject map => map.Select(p => p.Value),
                JsonArray list => list,
                _ => [],
            };
            foreach (var child in children)
            {
                count += Size(child, most - count);
                if (count > most)
                {
                    break;
                }
            }
            return count;
        }
    }

    /// <summary>
    /// Replaces every <c>{"$ref": name}</c> with a copy of the named evaluator. flagd substitutes textually in the
    /// compact JSON; replacing the parsed objects gives the same result without re-serialising. An unknown name stays,
    /// and compiles as the unknown operator <c>$ref</c>.
    /// </summary>
    private static JsonNode? Substitute(JsonNode? node, Dictionary<string, JsonNode?> evaluators)
    {
        switch (node)
        {
            case JsonObject { Count: 1 } o when o["$ref"] is JsonValue name && name.GetValueKind() == JsonValueKind.String
                && evaluators.TryGetValue(name.GetValue<string>(), out var evaluator):
                return evaluator?.DeepClone();
            case JsonObject o:
                foreach (var property in o.Select(p => p.Key).ToList())
                {
                    var replaced = Substitute(o[property], evaluators);
                    if (!ReferenceEquals(replaced, o[property]))
                    {
                        o[property] = replaced;
                    }
                }
                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    var replaced = Substitute(a[i], evaluators);
                    if (!ReferenceEquals(replaced, a[i]))
                    {
                        a[i] = replaced;
                    }
                }
                return a;
            default:
                return node;
        }
    }
}
