using System.Text.Json;
using System.Text.Json.Nodes;

namespace Onward.Core.Flags;

/// <summary>
/// Judges an A/B experiment (a flag whose targeting is a <c>fractional</c> split): per variant the conversion rate,
/// its difference to the control variant with a 95% Wald interval and a two-sided two-proportion z-test (pooled
/// standard error), and a sample-ratio-mismatch check (chi-square of exposures against the configured weights).
/// </summary>
public static class ExperimentResults
{
    public const double Alpha = 0.05;
    public const double MismatchAlpha = 0.001;

    /// <summary>The variants and weights of the flag's first fractional split with literal buckets; empty when it has none.</summary>
    public static IReadOnlyList<(string Variant, long Weight)> Split(FlagDefinition flag)
    {
        var fractional = Find(flag.Targeting);
        if (fractional is null)
        {
            return [];
        }
        var buckets = new List<(string, long)>();
        foreach (var item in fractional)
        {
            if (item is JsonArray { Count: > 0 } bucket && bucket[0] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            {
                var weight = bucket.Count > 1 && bucket[1] is JsonValue w && w.GetValueKind() == JsonValueKind.Number ? Math.Max((long)w.GetValue<double>(), 0) : 1;
                buckets.Add((v.GetValue<string>(), weight));
            }
        }
        return buckets;
    }

    public static bool IsExperiment(FlagDefinition flag) => Find(flag.Targeting) is not null;

    private static JsonArray? Find(JsonNode? node) => node switch
    {
        JsonObject o when o.TryGetPropertyValue("fractional", out var args) && args is JsonArray a => a,
        JsonObject o => o.Select(p => Find(p.Value)).FirstOrDefault(f => f is not null),
        JsonArray a => a.Select(Find).FirstOrDefault(f => f is not null),
        _ => null,
    };

    public static ExperimentReport Compute(FlagDefinition flag, string conversionEvent, IReadOnlyList<VariantCounts> counts)
    {
        var split = Split(flag);
        var variants = split.Select(s => s.Variant).Union(counts.Select(c => c.Variant)).Distinct().ToList();
        var control = flag.DefaultVariant is { } d && split.Any(s => s.Variant == d) ? d : split.FirstOrDefault().Variant ?? variants.FirstOrDefault() ?? "";
        var byVariant = counts.ToDictionary(c => c.Variant);
        var controlCounts = byVariant.GetValueOrDefault(control) ?? new VariantCounts(control, 0, 0);
        var results = new List<VariantResult>();
        foreach (var variant in variants)
        {
            var c = byVariant.GetValueOrDefault(variant) ?? new VariantCounts(variant, 0, 0);
            var weight = split.FirstOrDefault(s => s.Variant == variant).Weight;
            double? rate = c.Exposed == 0 ? null : (double)c.Converted / c.Exposed;
            if (variant == control || c.Exposed == 0 || controlCounts.Exposed == 0)
            {
                results.Add(new VariantResult(variant, weight, c.Exposed, c.Converted, rate, null, null, null, null, false));
                continue;
            }
            var (p1, n1) = ((double)c.Converted / c.Exposed, (double)c.Exposed);
            var (p0, n0) = ((double)controlCounts.Converted / controlCounts.Exposed, (double)controlCounts.Exposed);
            var difference = p1 - p0;
            var unpooled = Math.Sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0);
            var pooled = (double)(c.Converted + controlCounts.Converted) / (c.Exposed + controlCounts.Exposed);
            var pooledError = Math.Sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
            double? pValue = pooledError == 0 ? null : Statistics.TwoSidedP(difference / pooledError);
            results.Add(new VariantResult(variant, weight, c.Exposed, c.Converted, rate, difference, difference - 1.96 * unpooled, difference + 1.96 * unpooled,
                pValue, pValue < Alpha));
        }
        var warnings = new List<string>();
        double? chiSquare = null, srmP = null;
        var totalWeight = split.Sum(s => s.Weight);
        var exposed = split.Sum(s => byVariant.GetValueOrDefault(s.Variant)?.Exposed ?? 0);
        if (split.Count > 1 && totalWeight > 0 && exposed > 0)
        {
            chiSquare = split.Where(s => s.Weight > 0).Sum(s =>
            {
                var expected = exposed * (double)s.Weight / totalWeight;
                var observed = byVariant.GetValueOrDefault(s.Variant)?.Exposed ?? 0;
                return (observed - expected) * (observed - expected) / expected;
            });
            srmP = Statistics.ChiSquareSurvival(chiSquare.Value, split.Count(s => s.Weight > 0) - 1);
            if (srmP < MismatchAlpha)
            {
                warnings.Add($"sample ratio mismatch: the exposures ({string.Join(" / ", split.Select(s => byVariant.GetValueOrDefault(s.Variant)?.Exposed ?? 0))}) " +
                    $"differ from the configured weights ({string.Join(" / ", split.Select(s => s.Weight))}), p = {srmP:0.######}; check for users dropped or counted twice before trusting the results");
            }
        }
        if (results.Any(r => r.Exposed is > 0 and < 100))
        {
            warnings.Add("fewer than 100 users exposed to a variant: the interval is wide and the test is weak");
        }
        return new ExperimentReport(flag.Key, conversionEvent, control, results, chiSquare, srmP, warnings);
    }
}
