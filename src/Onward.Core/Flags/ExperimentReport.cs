namespace Onward.Core.Flags;

/// <summary>An A/B experiment's results for one conversion event.</summary>
/// <param name="SampleRatioPValue">Chi-square test of the observed split against the configured weights; below 0.001 is a mismatch.</param>
public sealed record ExperimentReport(
    string FlagKey, string Event, string Control, IReadOnlyList<VariantResult> Variants, double? SampleRatioChiSquare, double? SampleRatioPValue, IReadOnlyList<string> Warnings);

/// <summary>One variant: exposed and converted users, the rate, and against the control the difference with its 95% interval and a two-proportion z-test.</summary>
public sealed record VariantResult(
    string Variant, long Weight, long Exposed, long Converted, double? Rate, double? Difference, double? Low, double? High, double? PValue, bool Significant);
