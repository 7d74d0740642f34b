using System.Globalization;
using Onward.Core.Configuration;

namespace Onward.Core.Canaries;

/// <summary>Whether one metric's value passes: within <c>min</c>/<c>max</c>, and, compared, not worse than the baseline by more than the tolerance.</summary>
public static class CanaryJudge
{
    /// <returns>Why it fails, or null when it passes.</returns>
    public static string? WhyFails(CanaryMetric metric, double? value, double? baseline, bool baselineRefused = false)
    {
        if (value is null)
        {
            return "the query returned no series although the canary had requests (write `… or vector(0)` where nothing means 0)";
        }
        if (double.IsNaN(value.Value))
        {
            return "the query returned NaN although the canary had requests (a division by zero requests?)";
        }
        if (metric.Max is { } max && value > max)
        {
            return $"{Show(value)} is above max {Show(max)}";
        }
        if (metric.Min is { } min && value < min)
        {
            return $"{Show(value)} is below min {Show(min)}";
        }
        if (!metric.CompareBaseline)
        {
            return null;
        }
        if (baselineRefused || baseline is null || double.IsNaN(baseline.Value))
        {
            return $"the baseline's query returned {(baseline is null ? "no series" : "NaN")}, so the canary cannot be compared with it";
        }
        if (metric.Max is not null && value > baseline + metric.Tolerance)
        {
            return $"{Show(value)} is worse than the baseline's {Show(baseline)} by more than the tolerance {Show(metric.Tolerance)}";
        }
        if (metric.Min is not null && value < baseline - metric.Tolerance)
        {
            return $"{Show(value)} is worse than the baseline's {Show(baseline)} by more than the tolerance {Show(metric.Tolerance)}";
        }
        return null;
    }

    public static string Show(double? value) => value switch
    {
        null => "no series",
        { } v when double.IsNaN(v) => "NaN",
        { } v => v.ToString("0.######", CultureInfo.InvariantCulture),
    };

    public static string Limits(CanaryMetric metric) => string.Join(", ", new[]
    {
        metric.Min is { } min ? $"min {Show(min)}" : null,
        metric.Max is { } max ? $"max {Show(max)}" : null,
        metric.CompareBaseline ? $"compared with the baseline, tolerance {Show(metric.Tolerance)}" : null,
    }.Where(p => p is not null));
}
