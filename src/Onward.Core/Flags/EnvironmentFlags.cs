using System.Text.Json.Nodes;

namespace Onward.Core.Flags;

/// <summary>
/// An environment's effective flags: the sets its services' releases shipped and its own set, merged (a key belongs
/// to one source), with switches applied over them. Built and compiled once per change; evaluations only read it.
/// </summary>
public sealed class EnvironmentFlags
{
    private EnvironmentFlags(string environment, IReadOnlyDictionary<string, EffectiveFlag> flags, IReadOnlyList<FlagSwitch> orphans, long version)
    {
        Environment = environment;
        Flags = flags;
        OrphanSwitches = orphans;
        Version = version;
    }

    public string Environment { get; }

    public IReadOnlyDictionary<string, EffectiveFlag> Flags { get; }

    /// <summary>Switches on keys no source defines any more; they apply again if the key comes back.</summary>
    public IReadOnlyList<FlagSwitch> OrphanSwitches { get; }

    /// <summary>Changes whenever the definitions do: part of what OFREP's ETag covers.</summary>
    public long Version { get; }

    public FlagDefinition? Find(string key) => Flags.TryGetValue(key, out var flag) ? flag.Flag : null;

    public static EnvironmentFlags Build(string environment, IEnumerable<StoredFlagSet> sets, IEnumerable<FlagSwitch> switches, long version)
    {
        var flags = new Dictionary<string, EffectiveFlag>(StringComparer.Ordinal);
        // Services' sets in name order, then the environment's own: a key is owned by one source, the first wins if not.
        foreach (var set in sets.OrderBy(s => s.Service is null).ThenBy(s => s.Service, StringComparer.Ordinal))
        {
            if (FlagSet.Parse(set.Document).Set is not { } parsed)
            {
                continue;
            }
            foreach (var (key, flag) in parsed.Flags)
            {
                flags.TryAdd(key, new EffectiveFlag(flag, set, null));
            }
        }
        var orphans = new List<FlagSwitch>();
        foreach (var flagSwitch in switches)
        {
            if (flags.TryGetValue(flagSwitch.Key, out var effective))
            {
                var (switched, _) = Apply(effective.Flag, flagSwitch);
                flags[flagSwitch.Key] = effective with { Flag = switched ?? effective.Flag, Switch = flagSwitch };
            }
            else
            {
                orphans.Add(flagSwitch);
            }
        }
        return new EnvironmentFlags(environment, flags, orphans, version);
    }

    /// <summary>
    /// A new switch on <paramref name="effective"/>: the given parts replace its current switch's, the others stay, over
    /// the definition its source holds; with the flag it makes, or what makes it impossible.
    /// </summary>
    public static (FlagSwitch Switch, FlagDefinition? Flag, IReadOnlyList<FlagProblem> Problems) Switch(
        EffectiveFlag effective, string environment, bool? enabled, string? defaultVariant, JsonObject? targeting, string actor, string comment, DateTimeOffset at)
    {
        var source = FlagSet.Parse(effective.Source.Document).Set?.Flags.GetValueOrDefault(effective.Flag.Key) ?? effective.Flag;
        var previous = effective.Switch;
        var flagSwitch = new FlagSwitch(environment, effective.Flag.Key, enabled ?? previous?.Enabled, defaultVariant ?? previous?.DefaultVariant,
            targeting ?? previous?.Targeting, actor, comment, at);
        var (flag, problems) = Apply(source, flagSwitch);
        return (flagSwitch, flag, problems);
    }

    /// <summary>The flag with the switch's parts over it, or what makes the switch impossible for it.</summary>
    public static (FlagDefinition? Flag, IReadOnlyList<FlagProblem> Problems) Apply(FlagDefinition flag, FlagSwitch flagSwitch)
    {
        var problems = new List<FlagProblem>();
        var defaultVariant = flag.DefaultVariant;
        if (flagSwitch.DefaultVariant is { } variant)
        {
            if (flag.Variants.ContainsKey(variant))
            {
                defaultVariant = variant;
            }
            else
            {
                problems.Add(new FlagProblem("$.defaultVariant", $"\"{variant}\" is not a variant of {flag.Key} ({string.Join(", ", flag.Variants.Keys)})"));
            }
        }
        var (targeting, rule, ruleError) = (flag.Targeting, flag.Rule, flag.RuleError);
        if (flagSwitch.Targeting is { } switchedTargeting)
        {
            targeting = switchedTargeting;
            rule = null;
            ruleError = null;
            if (switchedTargeting.Count > 0)
            {
                try
                {
                    rule = TargetingRule.Compile(switchedTargeting, "$.targeting");
                }
                catch (RuleException e)
                {
                    problems.Add(new FlagProblem(e.Path, e.Message, Targeting: true));
                }
            }
        }
        if (problems.Count > 0)
        {
            return (null, problems);
        }
        return (flag with { Enabled = flagSwitch.Enabled ?? flag.Enabled, DefaultVariant = defaultVariant, Targeting = targeting, Rule = rule, RuleError = ruleError }, problems);
    }

    /// <summary>The fields that differ between two definitions of a flag, as <c>(field, before, after)</c> in compact JSON.</summary>
    public static IReadOnlyList<(string Field, string? Before, string? After)> Diff(JsonObject? before, JsonObject? after)
    {
        var fields = (before?.Select(p => p.Key) ?? []).Union(after?.Select(p => p.Key) ?? []).ToList();
        var changes = new List<(string, string?, string?)>();
        foreach (var field in fields)
        {
            var (b, a) = (before?[field], after?[field]);
            if (field == "variants" && b is JsonObject bv && a is JsonObject av)
            {
                foreach (var name in bv.Select(p => p.Key).Union(av.Select(p => p.Key)))
                {
                    if (!JsonNode.DeepEquals(bv[name], av[name]) || bv.ContainsKey(name) != av.ContainsKey(name))
                    {
                        changes.Add(($"variants.{name}", bv.ContainsKey(name) ? Text(bv[name]) : null, av.ContainsKey(name) ? Text(av[name]) : null));
                    }
                }
                continue;
            }
            if (!JsonNode.DeepEquals(b, a) || before?.ContainsKey(field) != after?.ContainsKey(field))
            {
                changes.Add((field, before?.ContainsKey(field) == true ? Text(b) : null, after?.ContainsKey(field) == true ? Text(a) : null));
            }
        }
        return changes;
    }

    private static string Text(JsonNode? node) => node?.ToJsonString() ?? "null";
}
