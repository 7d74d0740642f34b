using System.Diagnostics;
using System.Text.Json.Nodes;
using Onward.Core.Flags;
using Onward.Testing;
using Spectre.Console;

namespace Onward.Bench;

/// <summary>
/// Per-evaluation time of Onward's flag evaluator next to flagd's own JavaScript evaluator (@openfeature/flagd-core
/// 4.0.1, run by node in the same run), on the same flags and contexts: a static flag, a targeting rule with sem_ver
/// and ends_with, and a fractional split. One thread each.
/// </summary>
public static class FlagsBenchmark
{
    private const string Document = """
        {"flags": {
          "static": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
          "rule": {"state": "ENABLED", "variants": {"new": "new", "old": "old"}, "defaultVariant": "old",
            "targeting": {"if": [{"and": [{"sem_ver": [{"var": "appVersion"}, ">=", "2.4.0"]}, {"ends_with": [{"var": "email"}, "@acme.com"]}]}, "new", "old"]}},
          "fractional": {"state": "ENABLED", "variants": {"a": "a", "b": "b", "c": "c"}, "defaultVariant": "a",
            "targeting": {"fractional": [{"cat": [{"var": "$flagd.flagKey"}, {"var": "targetingKey"}]}, ["a", 50], ["b", 30], ["c", 20]]}}
        }}
        """;

    public static async Task RunAsync(int iterations)
    {
        var contexts = Enumerable.Range(0, 1000).Select(i => new JsonObject
        {
            ["targetingKey"] = $"user-{i}",
            ["email"] = i % 3 == 0 ? $"u{i}@acme.com" : $"u{i}@example.com",
            ["appVersion"] = $"2.{i % 8}.{i % 5}",
        }).ToList();
        var cases = new[] { ("static flag", "static", "boolean"), ("sem_ver + ends_with rule", "rule", "string"), ("fractional", "fractional", "string") };

        var node = await NodeAsync(iterations, contexts, cases);
        var (set, _) = FlagSet.Parse(Document);
        var values = contexts.Select(c => (IReadOnlyDictionary<string, object?>)FlagData.FromJson(c)!).ToArray();
        var ours = new Dictionary<string, double>();
        foreach (var (name, key, _) in cases)
        {
            var flag = set!.Flags[key];
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            long sink = 0;
            void Run(int n)
            {
                for (var i = 0; i < n; i++)
                {
                    if (FlagEvaluator.Evaluate(flag, key, values[i % values.Length], now).Variant is not null)
                    {
                        sink++;
                    }
                }
            }
            Run(iterations / 5);
            var clock = Stopwatch.StartNew();
            Run(iterations);
            ours[name] = clock.Elapsed.TotalNanoseconds / iterations;
            GC.KeepAlive(sink);
        }

        var table = new Table().Title($"Flag evaluation, {iterations:N0} evaluations per case over 1,000 contexts, one thread").AddColumns("flag", "Onward", "flagd-core 4.0.1 (node)", "Onward faster by");
        foreach (var (name, _, _) in cases)
        {
            table.AddRow(name, $"{ours[name]:0} ns", $"{node[name]:0} ns", $"{node[name] / ours[name]:0.0}×");
        }
        AnsiConsole.Write(table);
    }

    private static async Task<Dictionary<string, double>> NodeAsync(int iterations, List<JsonObject> contexts, (string Name, string Key, string Type)[] cases)
    {
        var input = new JsonObject
        {
            ["config"] = Document,
            ["iterations"] = iterations,
            ["cases"] = new JsonArray(cases.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["key"] = c.Key,
                ["type"] = c.Type,
                ["contexts"] = new JsonArray(contexts.Select(x => (JsonNode)x.DeepClone()).ToArray()),
            }).ToArray()),
        };
        return (await NodeScript.RunAsync("flagd-core-bench.cjs", input)).AsArray().ToDictionary(r => r!["name"]!.GetValue<string>(), r => r!["nsPerEvaluation"]!.GetValue<double>());
    }
}
