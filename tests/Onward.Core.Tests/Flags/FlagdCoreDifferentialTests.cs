using System.Globalization;
using System.Text.Json.Nodes;
using Onward.Core.Flags;
using Onward.Testing;

namespace Onward.Core.Tests.Flags;

/// <summary>
/// Onward's evaluator against flagd's own JavaScript evaluator, <c>@openfeature/flagd-core</c> 4.0.1 run by node, over
/// generated flags and contexts: every operator of flagd's targeting schema, disabled flags, missing default variants,
/// targeting that returns null, booleans or unknown variants, $ref, and flag-set metadata under flag metadata. Keys are
/// ASCII, since flagd-core hashes UTF-16 code units where Onward and the Go daemon hash UTF-8. The generator keeps to
/// rules both JsonLogic engines define alike (json-logic-engine raises on NaN comparisons where Go's engine does not).
/// </summary>
public class FlagdCoreDifferentialTests
{
    [Fact]
    public async Task Generated_flags_and_contexts_resolve_exactly_as_flagd_core_resolves_them()
    {
        var random = new Random(20261129);
        var (document, cases) = Generate(random, flags: 400, contextsPerFlag: 12);
        var (set, problems) = FlagSet.Parse(document.ToJsonString());
        set.ShouldNotBeNull(string.Join("; ", problems));

        var expected = await FlagdCoreAsync(document.ToJsonString(), cases);

        var mismatches = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var (key, type, context) = cases[i];
            var ours = FlagEvaluator.Evaluate(set.Flags.GetValueOrDefault(key), key, (IReadOnlyDictionary<string, object?>)FlagData.FromJson(context)!, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            var theirs = expected[i]!.AsObject();
            var theirReason = theirs["reason"]!.GetValue<string>();
            var theirError = theirs["errorCode"]?.GetValue<string>();
            var theirVariant = theirs["variant"]?.GetValue<string>();
            var same = ours.Reason == theirReason && ours.ErrorCode == theirError
                && (ours.ErrorCode is not null || (ours.Variant == theirVariant && JsonNode.DeepEquals(ours.Value, theirs["value"]) && SameMetadata(ours, theirs["metadata"]!.AsObject())));
            if (!same)
            {
                mismatches.Add($"{key} ({type}) with {context.ToJsonString()}: Onward {ours.Reason}/{ours.ErrorCode}/{ours.Variant}/{ours.Value?.ToJsonString()} ({ours.ErrorDetails}), " +
                    $"flagd-core {theirs.ToJsonString()}; targeting {document["flags"]![key]!["targeting"]?.ToJsonString()}");
            }
        }

        mismatches.ShouldBeEmpty($"{mismatches.Count} of {cases.Count} evaluations differ:\n" + string.Join("\n", mismatches.Take(15)));
        cases.Count.ShouldBe(400 * 12 + 12);
    }

    private static bool SameMetadata(FlagResolution ours, JsonObject theirs) =>
        ours.Metadata.Count == theirs.Count && ours.Metadata.All(m => JsonNode.DeepEquals(m.Value, theirs[m.Key]));

    private static async Task<JsonArray> FlagdCoreAsync(string config, List<(string Key, string Type, JsonObject Context)> cases)
    {
        var input = new JsonObject
        {
            ["config"] = config,
            ["cases"] = new JsonArray(cases.Select(c => (JsonNode)new JsonObject { ["key"] = c.Key, ["type"] = c.Type, ["context"] = c.Context.DeepClone() }).ToArray()),
        };
        return (await NodeScript.RunAsync("flagd-core-eval.cjs", input)).AsArray();
    }

    private static readonly string[] Emails = ["ann@acme.com", "bob@example.com", "carol@acme.org", "dave@shop.io", ""];
    private static readonly string[] Tiers = ["free", "pro", "enterprise"];
    private static readonly string[] Versions = ["1.0.0", "1.2.3", "2.0.0-beta.1", "2.0.0", "v2.1.0", "3.0", "10.4.1", "0.9.9-rc.2", "not-a-version"];
    private static readonly string[] Countries = ["de", "fr", "us", "jp"];
    private static readonly string[] Relations = ["<", "<=", ">", ">="];
    private static readonly string[] SemVerOperators = ["=", "!=", "<", "<=", ">", ">=", "^", "~"];

    private static (JsonObject Document, List<(string Key, string Type, JsonObject Context)> Cases) Generate(Random random, int flags, int contextsPerFlag)
    {
        var contexts = Enumerable.Range(0, 64).Select(_ => Context(random)).ToList();
        var map = new JsonObject();
        var cases = new List<(string, string, JsonObject)>();
        for (var i = 0; i < flags; i++)
        {
            var key = $"flag-{i}-{Word(random, 4)}";
            var (flag, type) = Flag(random, i);
            map[key] = flag;
            foreach (var context in Enumerable.Range(0, contextsPerFlag).Select(_ => contexts[random.Next(contexts.Count)]))
            {
                cases.Add((key, type, (JsonObject)context.DeepClone()));
            }
        }
        foreach (var context in contexts.Take(12))
        {
            cases.Add(("no-such-flag", "string", (JsonObject)context.DeepClone()));
        }
        var document = new JsonObject
        {
            ["flags"] = map,
            ["$evaluators"] = new JsonObject
            {
                ["is-acme"] = new JsonObject { ["ends_with"] = new JsonArray(Var("email"), "@acme.com") },
                ["is-paying"] = new JsonObject { ["in"] = new JsonArray(Var("tier"), new JsonArray("pro", "enterprise")) },
            },
            ["metadata"] = new JsonObject { ["flagSetId"] = "generated", ["version"] = "7", ["owner"] = "differential" },
        };
        return (document, cases);
    }

    private static JsonObject Context(Random random)
    {
        var context = new JsonObject();
        if (random.Next(10) > 0)
        {
            context["targetingKey"] = Word(random, random.Next(1, 12));
        }
        if (random.Next(4) > 0)
        {
            context["email"] = Emails[random.Next(Emails.Length)];
        }
        if (random.Next(4) > 0)
        {
            context["tier"] = Tiers[random.Next(Tiers.Length)];
        }
        if (random.Next(3) > 0)
        {
            context["age"] = random.Next(10, 80);
        }
        if (random.Next(3) > 0)
        {
            context["version"] = Versions[random.Next(Versions.Length)];
        }
        if (random.Next(3) > 0)
        {
            context["user"] = new JsonObject { ["country"] = Countries[random.Next(Countries.Length)], ["score"] = Math.Round(random.NextDouble() * 100, 1) };
        }
        if (random.Next(4) == 0)
        {
            context["beta"] = random.Next(2) == 0;
        }
        return context;
    }

    private static (JsonObject Flag, string Type) Flag(Random random, int index)
    {
        var names = new[] { "red", "green", "blue", "true", "false" };
        var kind = index % 10;
        JsonObject variants;
        string type;
        switch (kind)
        {
            case 7:
                variants = new JsonObject { ["on"] = true, ["off"] = false, ["true"] = true, ["false"] = false };
                type = "boolean";
                break;
            case 8:
                variants = new JsonObject { ["small"] = 1, ["large"] = 1000, ["half"] = 0.5, ["true"] = 2, ["false"] = 0 };
                type = "number";
                break;
            case 9:
                variants = new JsonObject { ["a"] = new JsonObject { ["x"] = 1 }, ["b"] = new JsonObject { ["y"] = new JsonArray("z") }, ["true"] = new JsonObject(), ["false"] = new JsonObject { ["f"] = false } };
                type = "object";
                break;
            default:
                variants = new JsonObject(names.Select(n => KeyValuePair.Create(n, (JsonNode?)JsonValue.Create(n + "-value"))));
                type = "string";
                break;
        }
        var variantNames = variants.Select(v => v.Key).ToArray();
        var flag = new JsonObject
        {
            ["state"] = random.Next(12) == 0 ? "DISABLED" : "ENABLED",
            ["variants"] = variants,
        };
        switch (random.Next(6))
        {
            case 0:
                break;
            case 1:
                flag["defaultVariant"] = null;
                break;
            default:
                flag["defaultVariant"] = variantNames[random.Next(variantNames.Length)];
                break;
        }
        switch (random.Next(8))
        {
            case 0:
                break;
            case 1:
                flag["targeting"] = new JsonObject();
                break;
            default:
                var result = Result(random, variantNames, depth: 0);
                flag["targeting"] = result as JsonObject ?? new JsonObject { ["if"] = new JsonArray(Condition(random, 0), result, null) };
                break;
        }
        if (random.Next(3) == 0)
        {
            flag["metadata"] = new JsonObject { ["owner"] = "team-" + Word(random, 3), ["experiment"] = random.Next(2) == 0, ["rank"] = random.Next(100) };
        }
        return (flag, type);
    }

    /// <summary>A rule whose result names a variant (or null, or a name that is no variant).</summary>
    private static JsonNode? Result(Random random, string[] variants, int depth)
    {
        JsonNode? Name() => random.Next(14) switch
        {
            0 => null,
            1 => "no-such-variant",
            _ => variants[random.Next(variants.Length)],
        };
        switch (depth > 2 ? random.Next(2) * 4 : random.Next(7))
        {
            case 0:
                return Name();
            case 1:
                return new JsonObject { ["if"] = new JsonArray(Condition(random, 0), Result(random, variants, depth + 1), Result(random, variants, depth + 1)) };
            case 2:
                return new JsonObject { ["if"] = new JsonArray(Condition(random, 0), Result(random, variants, depth + 1), Condition(random, 0), Result(random, variants, depth + 1)) };
            case 3:
                return Fractional(random, variants);
            case 4:
                return Condition(random, 0);
            case 5:
                return new JsonObject { ["if"] = new JsonArray(new JsonObject { ["$ref"] = random.Next(2) == 0 ? "is-acme" : "is-paying" }, Name(), Name()) };
            default:
                return new JsonObject { ["cat"] = new JsonArray(variants[random.Next(variants.Length)][..1], new JsonObject { ["substr"] = new JsonArray(variants[random.Next(variants.Length)], 1) }) };
        }
    }

    private static JsonObject Fractional(Random random, string[] variants)
    {
        var args = new JsonArray();
        switch (random.Next(4))
        {
            case 0:
                args.Add(new JsonObject { ["cat"] = new JsonArray(Var("$flagd.flagKey"), Var("email")) });
                break;
            case 1:
                args.Add(new JsonObject { ["cat"] = new JsonArray("shared-seed", Var("targetingKey")) });
                break;
            case 2:
                args.Add(Var("targetingKey"));
                break;
        }
        foreach (var _ in Enumerable.Range(0, random.Next(1, 5)))
        {
            var bucket = new JsonArray(random.Next(10) == 0 ? new JsonObject { ["if"] = new JsonArray(Condition(random, 1), variants[0], variants[1]) } : variants[random.Next(variants.Length)]);
            if (random.Next(5) > 0)
            {
                bucket.Add(random.Next(8) == 0 ? 0 : random.Next(1, 100));
            }
            args.Add(bucket);
        }
        return new JsonObject { ["fractional"] = args };
    }

    private static JsonObject Var(string path) => new() { ["var"] = path };

    private static JsonNode Condition(Random random, int depth)
    {
        var n = depth > 1 ? random.Next(11) : random.Next(15);
        return n switch
        {
            0 => new JsonObject { [random.Next(2) == 0 ? "==" : "!="] = new JsonArray(Var("tier"), Tiers[random.Next(Tiers.Length)]) },
            1 => new JsonObject { [random.Next(2) == 0 ? "===" : "!=="] = new JsonArray(Var("email"), Emails[random.Next(Emails.Length)]) },
            2 => new JsonObject { [Relations[random.Next(Relations.Length)]] = new JsonArray(Var("age"), random.Next(10, 80)) },
            3 => new JsonObject { ["<"] = new JsonArray(18, Var("age"), 65) },
            4 => new JsonObject { ["in"] = new JsonArray(Var("user.country"), new JsonArray("de", "fr")) },
            5 => new JsonObject { ["in"] = new JsonArray("acme", Var("email")) },
            6 => new JsonObject { [random.Next(2) == 0 ? "starts_with" : "ends_with"] = new JsonArray(Var("email"), random.Next(2) == 0 ? "ann" : ".com") },
            7 => new JsonObject { ["sem_ver"] = new JsonArray(Var("version"), SemVerOperators[random.Next(SemVerOperators.Length)], Versions[random.Next(Versions.Length - 1)]) },
            8 => new JsonObject { [">"] = new JsonArray(Var("user.score"), Math.Round(random.NextDouble() * 100, 1)) },
            9 => new JsonObject { ["=="] = new JsonArray(Var("beta"), true) },
            10 => new JsonObject { [">="] = new JsonArray(new JsonObject { ["%"] = new JsonArray(Var("age"), 7) }, 3) },
            11 => new JsonObject { [random.Next(2) == 0 ? "and" : "or"] = new JsonArray(Condition(random, depth + 1), Condition(random, depth + 1)) },
            12 => new JsonObject { ["!"] = new JsonArray(Condition(random, depth + 1)) },
            13 => new JsonObject { ["!!"] = new JsonArray(new JsonObject { ["missing"] = new JsonArray("email", "tier") }) },
            _ => new JsonObject { ["some"] = new JsonArray(new JsonArray("de", "us", "jp"), new JsonObject { ["=="] = new JsonArray(new JsonObject { ["var"] = "" }, "us") }) },
        };
    }

    private static string Word(Random random, int length) =>
        new(Enumerable.Range(0, length).Select(_ => "abcdefghijklmnopqrstuvwxyz0123456789-_@."[random.Next(40)]).ToArray());

}
