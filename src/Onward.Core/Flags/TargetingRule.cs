using System.Text.Json.Nodes;

namespace Onward.Core.Flags;

/// <summary>
/// A flag's targeting, compiled once from its JsonLogic into a tree of closures, so that an evaluation walks no JSON.
/// Operators are those flagd's targeting schema allows (https://flagd.dev/schema/v0/targeting.json): JsonLogic's data,
/// logic, numeric, array and string operators plus flagd's <c>fractional</c>, <c>sem_ver</c>, <c>starts_with</c> and
/// <c>ends_with</c>. Semantics follow json-logic-js, which defines JsonLogic.
/// </summary>
public sealed class TargetingRule
{
    private readonly Func<EvaluationScope, object?> _run;

    private TargetingRule(Func<EvaluationScope, object?> run) => _run = run;

    public object? Evaluate(EvaluationScope scope) => _run(scope);

    /// <summary>
    /// Compiles <paramref name="logic"/>; throws <see cref="RuleException"/> naming the JSON path of what cannot run, or
    /// the limit (<see cref="RuleLimits"/>) a rule too deep, large or costly passes.
    /// </summary>
    public static TargetingRule Compile(JsonNode? logic, string path)
    {
        RuleLimits.Check(logic, path);
        return new(Build(logic, path));
    }

    private static Func<EvaluationScope, object?> Build(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject o when o.Count == 1:
                var (op, value) = o.First();
                var args = value is JsonArray array ? array.ToList() : [value];
                return Operator(op, args, $"{path}.{op}");
            case JsonArray a:
                var items = a.Select((item, i) => Build(item, $"{path}[{i}]")).ToArray();
                return IsLiteral(a)
                    ? Constant(items.Select(i => i(null!)).ToList())
                    : scope => items.Select(i => i(scope)).ToList();
            default:
                var literal = FlagData.FromJson(node);
                return Constant(literal);
        }
    }

    private static Func<EvaluationScope, object?> Constant(object? value) => _ => value;

    /// <summary>Whether <paramref name="node"/> is data rather than an operation: no object with exactly one key anywhere in it.</summary>
    private static bool IsLiteral(JsonNode? node) => node switch
    {
        JsonObject o => o.Count != 1,
        JsonArray a => a.All(IsLiteral),
        _ => true,
    };

    /// <summary>Every operator charges the evaluation's budget one operation, and more for the items it walks or makes.</summary>
    private static Func<EvaluationScope, object?> Operator(string op, List<JsonNode?> args, string path)
    {
        var run = Run(op, args, path);
        return s =>
        {
            s.Budget.Spend(1);
            return run(s);
        };
    }

    private static Func<EvaluationScope, object?> Run(string op, List<JsonNode?> args, string path)
    {
        var a = args.Select((arg, i) => Build(arg, $"{path}[{i}]")).ToArray();
        object? Arg(EvaluationScope s, int i) => i < a.Length ? a[i](s) : null;
        return op switch
        {
            "var" => Var(args, a, path),
            "missing" => s => Missing(s, a.Select(x => x(s)).ToList()),
            "missing_some" => s => MissingSome(s, Arg(s, 0), Arg(s, 1)),
            "if" or "?:" => s => If(s, a),
            "==" => s => JsValues.LooseEquals(Sized(s, Arg(s, 0)), Sized(s, Arg(s, 1))),
            "===" => s => JsValues.StrictEquals(Arg(s, 0), Arg(s, 1)),
            "!=" => s => !JsValues.LooseEquals(Sized(s, Arg(s, 0)), Sized(s, Arg(s, 1))),
            "!==" => s => !JsValues.StrictEquals(Arg(s, 0), Arg(s, 1)),
            "!" => s => !JsValues.Truthy(Arg(s, 0)),
            "!!" => s => JsValues.Truthy(Arg(s, 0)),
            "or" => s => Or(s, a),
            "and" => s => And(s, a),
            ">" => s => JsValues.Compare(Sized(s, Arg(s, 0)), Sized(s, Arg(s, 1))) > 0,
            ">=" => s => JsValues.Compare(Sized(s, Arg(s, 0)), Sized(s, Arg(s, 1))) >= 0,
            "<" => s => Between(s, a, strict: true),
            "<=" => s => Between(s, a, strict: false),
            "+" => s => a.Aggregate(0d, (sum, x) => sum + JsValues.ToNumber(x(s))),
            "*" => s => a.Length == 0 ? null : a.Skip(1).Aggregate(JsValues.ToNumber(a[0](s)), (product, x) => product * JsValues.ToNumber(x(s))),
            "-" => s => a.Length == 1 ? -JsValues.ToNumber(Arg(s, 0)) : JsValues.ToNumber(Arg(s, 0)) - JsValues.ToNumber(Arg(s, 1)),
            "/" => s => JsValues.ToNumber(Arg(s, 0)) / JsValues.ToNumber(Arg(s, 1)),
            "%" => s => JsValues.ToNumber(Arg(s, 0)) % JsValues.ToNumber(Arg(s, 1)),
            "min" => s => a.Length == 0 ? null : a.Select(x => JsValues.ToNumber(x(s))).Min(),
            "max" => s => a.Length == 0 ? null : a.Select(x => JsValues.ToNumber(x(s))).Max(),
            "map" => s => Items(s, a).Select(item => a.Length > 1 ? a[1](s.With(item)) : null).ToList(),
            "filter" => s => Items(s, a).Where(item => a.Length > 1 && JsValues.Truthy(a[1](s.With(item)))).ToList(),
            "reduce" => s => Reduce(s, a),
            "all" => s => Items(s, a) is { Count: > 0 } items && items.All(item => a.Length > 1 && JsValues.Truthy(a[1](s.With(item)))),
            "none" => s => !Items(s, a).Any(item => a.Length > 1 && JsValues.Truthy(a[1](s.With(item)))),
            "some" => s => Items(s, a).Any(item => a.Length > 1 && JsValues.Truthy(a[1](s.With(item)))),
            "merge" => s => Charged(s, a.Select(x => x(s)).SelectMany(value => value is IReadOnlyList<object?> list ? list : [value]).ToList()),
            "in" => s => In(s, Sized(s, Arg(s, 0)), Arg(s, 1)),
            "cat" => s => Cat(s, a),
            "substr" => s => Substring(Charged(s, JsValues.ToText(Sized(s, Arg(s, 0)))), Arg(s, 1), a.Length > 2 ? Arg(s, 2) : null),
            "fractional" => s => Fractional.Evaluate(s, a.Select(x => x(s)).ToList()),
            "sem_ver" => SemVer(args, a),
            "starts_with" => s => a.Length == 2 && Arg(s, 0) is string x && Arg(s, 1) is string y ? x.StartsWith(y, StringComparison.Ordinal) : null,
            "ends_with" => s => a.Length == 2 && Arg(s, 0) is string x && Arg(s, 1) is string y ? x.EndsWith(y, StringComparison.Ordinal) : null,
            "$ref" => throw new RuleException(path, $"`$ref` to \"{(args.FirstOrDefault() as JsonValue)?.ToString()}\", which `$evaluators` does not define"),
            _ => throw new RuleException(path, $"unknown operator `{op}`; flagd's targeting allows var, missing, missing_some, if, ==, ===, !=, !==, !, !!, or, and, " +
                ">, >=, <, <=, +, -, *, /, %, min, max, map, filter, reduce, all, none, some, merge, in, cat, substr, fractional, sem_ver, starts_with, ends_with"),
        };
    }

    /// <summary>sem_ver with a literal operator and right-hand version parses that version once, here.</summary>
    private static Func<EvaluationScope, object?> SemVer(List<JsonNode?> args, Func<EvaluationScope, object?>[] a)
    {
        if (a.Length != 3)
        {
            return _ => null;
        }
        if (IsLiteral(args[1]) && IsLiteral(args[2]))
        {
            var prepared = SemanticVersionRule.Prepare(FlagData.FromJson(args[1]), FlagData.FromJson(args[2]));
            return prepared is null ? _ => null : s => prepared(a[0](s));
        }
        return s => SemanticVersionRule.Evaluate(a[0](s), a[1](s), a[2](s));
    }

    private static Func<EvaluationScope, object?> Var(List<JsonNode?> args, Func<EvaluationScope, object?>[] a, string path)
    {
        if (a.Length == 0)
        {
            return s => s.IsNested ? s.Data : s.ContextWithFlagd;
        }
        var fallback = a.Length > 1 ? a[1] : null;
        if (args[0] is JsonValue or null && IsLiteral(args[0]))
        {
            var segments = Segments(FlagData.FromJson(args[0]));
            return s => Lookup(s, segments) is (true, var value) ? value : fallback?.Invoke(s);
        }
        return s => Lookup(s, Segments(a[0](s))) is (true, var value) ? value : fallback?.Invoke(s);
    }

    private static string[] Segments(object? path) => path switch
    {
        null => [],
        string text when text.Length == 0 => [],
        string text => text.Split('.'),
        _ => [JsValues.ToText(path)],
    };

    /// <summary>
    /// Reads a dotted path. As in json-logic-engine, only an absent property is "not found" (var's default applies,
    /// missing lists it); a property present with null is found, and null.
    /// </summary>
    private static (bool Found, object? Value) Lookup(EvaluationScope scope, string[] segments)
    {
        if (segments.Length == 0)
        {
            return (true, scope.IsNested ? scope.Data : scope.ContextWithFlagd);
        }
        object? current;
        var start = 0;
        if (!scope.IsNested && segments[0] == "$flagd")
        {
            if (segments.Length == 1)
            {
                return (true, scope.Flagd);
            }
            current = segments[1] switch { "flagKey" => scope.FlagKey, "timestamp" => (double)scope.Timestamp, _ => null };
            if (current is null)
            {
                return (false, null);
            }
            start = 2;
        }
        else
        {
            current = scope.Data;
        }
        for (var i = start; i < segments.Length; i++)
        {
            switch (current)
            {
                case IReadOnlyDictionary<string, object?> map when map.TryGetValue(segments[i], out var next):
                    current = next;
                    break;
                case IReadOnlyList<object?> list when int.TryParse(segments[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index < list.Count:
                    current = list[index];
                    break;
                default:
                    return (false, null);
            }
        }
        return (true, current);
    }

    private static List<object?> Missing(EvaluationScope scope, List<object?> keys)
    {
        if (keys.Count > 0 && keys[0] is IReadOnlyList<object?> first)
        {
            keys = first.ToList();
        }
        scope.Budget.Spend(keys.Count);
        return keys.Where(k => !Lookup(scope, Segments(k)).Found).ToList();
    }

    private static List<object?> MissingSome(EvaluationScope scope, object? need, object? keys)
    {
        var all = keys as IReadOnlyList<object?> ?? [];
        scope.Budget.Spend(all.Count);
        var missing = Missing(scope, all.ToList());
        return all.Count - missing.Count >= JsValues.ToNumber(need) ? [] : missing;
    }

    private static object? If(EvaluationScope scope, Func<EvaluationScope, object?>[] a)
    {
        var i = 0;
        for (; i + 1 < a.Length; i += 2)
        {
            if (JsValues.Truthy(a[i](scope)))
            {
                return a[i + 1](scope);
            }
        }
        return i < a.Length ? a[i](scope) : null;
    }

    private static object? Or(EvaluationScope scope, Func<EvaluationScope, object?>[] a)
    {
        object? value = null;
        foreach (var item in a)
        {
            value = item(scope);
            if (JsValues.Truthy(value))
            {
                return value;
            }
        }
        return value;
    }

    private static object? And(EvaluationScope scope, Func<EvaluationScope, object?>[] a)
    {
        object? value = null;
        foreach (var item in a)
        {
            value = item(scope);
            if (!JsValues.Truthy(value))
            {
                return value;
            }
        }
        return value;
    }

    private static bool Between(EvaluationScope scope, Func<EvaluationScope, object?>[] a, bool strict)
    {
        bool Less(object? x, object? y) => JsValues.Compare(x, y) is { } c && (strict ? c < 0 : c <= 0);
        var first = a.Length > 0 ? Sized(scope, a[0](scope)) : null;
        var second = a.Length > 1 ? Sized(scope, a[1](scope)) : null;
        return a.Length == 3 ? Less(first, second) && Less(second, Sized(scope, a[2](scope))) : Less(first, second);
    }

    private static IReadOnlyList<object?> Items(EvaluationScope scope, Func<EvaluationScope, object?>[] a) =>
        a.Length > 0 && a[0](scope) is IReadOnlyList<object?> list ? Charged(scope, list) : [];

    private static List<object?> Charged(EvaluationScope scope, List<object?> items)
    {
        scope.Budget.Spend(items.Count);
        return items;
    }

    private static IReadOnlyList<object?> Charged(EvaluationScope scope, IReadOnlyList<object?> items)
    {
        scope.Budget.Spend(items.Count);
        return items;
    }

    private static string Charged(EvaluationScope scope, string text)
    {
        scope.Budget.Spend(text.Length);
        return text;
    }

    /// <summary>A list about to be read as text or compared as such costs one operation per item.</summary>
    private static object? Sized(EvaluationScope scope, object? value)
    {
        if (value is IReadOnlyList<object?> list)
        {
            scope.Budget.Spend(list.Count);
        }
        return value;
    }

    /// <summary>The parts are charged by their length before they are joined, so that no string is made past the budget.</summary>
    private static string Cat(EvaluationScope scope, Func<EvaluationScope, object?>[] a)
    {
        var parts = a.Select(x => JsValues.ToText(Sized(scope, x(scope)))).ToList();
        scope.Budget.Spend(parts.Sum(p => (long)p.Length));
        return string.Concat(parts);
    }

    private static object? Reduce(EvaluationScope scope, Func<EvaluationScope, object?>[] a)
    {
        var accumulator = a.Length > 2 ? a[2](scope) : null;
        if (a.Length < 2)
        {
            return accumulator;
        }
        foreach (var item in Items(scope, a))
        {
            accumulator = a[1](scope.With(new Dictionary<string, object?>(StringComparer.Ordinal) { ["current"] = item, ["accumulator"] = accumulator }));
        }
        return accumulator;
    }

    private static bool In(EvaluationScope scope, object? needle, object? haystack) => haystack switch
    {
        string text => Charged(scope, text).Contains(JsValues.ToText(needle), StringComparison.Ordinal),
        IReadOnlyList<object?> list => Charged(scope, list).Any(item => JsValues.StrictEquals(item, needle)),
        _ => false,
    };

    /// <summary>json-logic-js <c>substr</c>: JavaScript's <c>String.prototype.substr</c>, and a negative length cuts from the end.</summary>
    private static string Substring(object? source, object? start, object? length)
    {
        var text = JsValues.ToText(source);
        var from = (int)Math.Clamp(JsValues.ToNumber(start) is var f && double.IsNaN(f) ? 0 : Math.Truncate(f), int.MinValue, int.MaxValue);
        from = from < 0 ? Math.Max(text.Length + from, 0) : Math.Min(from, text.Length);
        var rest = text[from..];
        if (length is null)
        {
            return rest;
        }
        var count = JsValues.ToNumber(length) is var n && double.IsNaN(n) ? 0 : (int)Math.Clamp(Math.Truncate(n), int.MinValue, int.MaxValue);
        return count < 0 ? rest[..Math.Max(rest.Length + count, 0)] : rest[..Math.Min(count, rest.Length)];
    }
}
