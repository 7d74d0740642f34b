using System.Globalization;
using System.Text.Json.Nodes;

namespace Onward.Core.Flags;

/// <summary>
/// What a flag's targeting may cost, checked when it is stored (so that one flag cannot make every evaluation of an
/// environment slow): nesting, size, and the work its loops multiply. A loop (map, filter, reduce, all, some, none) costs
/// its body once per item: over a literal array that is its length, over data from the context it is taken as
/// <see cref="AssumedItems"/>, so loops over the context nested in each other are refused. Evaluations are bounded
/// besides by <see cref="EvaluationBudget"/>, whatever the context holds.
/// </summary>
public static class RuleLimits
{
    public const int MostDepth = 32;
    public const int MostNodes = 50_000;
    public const int MostDocumentNodes = 1_000_000;
    public const long MostCost = 1_000_000;

    /// <summary>The items an array from the context (or made at evaluation) is taken to hold.</summary>
    public const int AssumedItems = 1_000;

    private static readonly HashSet<string> Loops = ["map", "filter", "reduce", "all", "some", "none"];

    /// <exception cref="RuleException">The rule is too deep, too large or too costly, naming the limit.</exception>
    public static void Check(JsonNode? logic, string path)
    {
        var nodes = 0;
        var (cost, _) = Cost(logic, path, 0, ref nodes);
        if (cost > MostCost)
        {
            throw new RuleException(path, $"the targeting may cost up to {Number(cost)} operations in one evaluation (its loops multiply: an array from the context counts as {Number(AssumedItems)} items); at most {Number(MostCost)} (limit: targeting cost). Loop over literal lists or fewer nested arrays");
        }
    }

    /// <summary>The JSON nodes of <paramref name="node"/>, counted up to <paramref name="most"/> + 1.</summary>
    public static int Count(JsonNode? node, int most)
    {
        var count = 1;
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, value) in o)
                {
                    count += Count(value, most - count);
                    if (count > most)
                    {
                        return count;
                    }
                }
                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    count += Count(item, most - count);
                    if (count > most)
                    {
                        return count;
                    }
                }
                break;
        }
        return count;
    }

    /// <returns>The most operations <paramref name="node"/> may take, and the most items it may give as an array (0: no array).</returns>
    private static (double Cost, double Items) Cost(JsonNode? node, string path, int depth, ref int nodes)
    {
        if (++nodes > MostNodes)
        {
            throw new RuleException(path, $"the targeting has more than {Number(MostNodes)} JSON values (limit: targeting size); move large lists out of the rule or split the flag");
        }
        switch (node)
        {
            case JsonObject o when o.Count == 1:
                var (op, value) = o.First();
                if (depth + 1 > MostDepth)
                {
                    throw new RuleException($"{path}.{op}", $"operators are nested more than {MostDepth} deep (limit: targeting depth)");
                }
                var args = value is JsonArray array ? array.ToList() : [value];
                var parts = new List<(double Cost, double Items)>(args.Count);
                for (var i = 0; i < args.Count; i++)
                {
                    parts.Add(Cost(args[i], $"{path}.{op}[{i}]", depth + 1, ref nodes));
                }
                return Operator(op, parts);
            case JsonObject o:
                foreach (var (key, child) in o)
                {
                    Cost(child, $"{path}.{key}", depth, ref nodes);
                }
                return (1, 0);
            case JsonArray a:
                var cost = 0d;
                for (var i = 0; i < a.Count; i++)
                {
                    cost += Cost(a[i], $"{path}[{i}]", depth, ref nodes).Cost;
                }
                return (Math.Max(cost, 1), a.Count);
            default:
                return (1, 0);
        }
    }

    private static (double Cost, double Items) Operator(string op, List<(double Cost, double Items)> args)
    {
        (double Cost, double Items) Arg(int i) => i < args.Count ? args[i] : (0, 0);
        var own = 1 + args.Sum(a => a.Cost);
        if (Loops.Contains(op))
        {
            var (source, items) = Arg(0);
            var body = Arg(1).Cost;
            var cost = 1 + source + items * (1 + body) + Arg(2).Cost;
            return (cost, op is "map" or "filter" ? items : op == "reduce" ? AssumedItems : 0);
        }
        return op switch
        {
            "var" => (own, AssumedItems),
            "merge" => (own + args.Sum(a => Math.Max(a.Items, 1)), args.Sum(a => Math.Max(a.Items, 1))),
            "in" => (own + Arg(1).Items, 0),
            "missing" or "missing_some" => (own + args.Sum(a => a.Items), args.Sum(a => Math.Max(a.Items, 1))),
            "if" or "?:" or "or" or "and" => (own, args.Count == 0 ? 0 : args.Max(a => a.Items)),
            _ => (own, 0),
        };
    }

    internal static string Number(double value) => value >= 1e15 ? value.ToString("0.#e0", CultureInfo.InvariantCulture) : ((long)value).ToString("N0", CultureInfo.InvariantCulture);
}
