namespace Onward.Contracts.Flags;

/// <summary>One variant: exposed and converted users, the conversion rate, and against the control the difference with its 95% interval and p-value.</summary>
public sealed record VariantResultResponse(
    string Variant, long Weight, long Exposed, long Converted, double? Rate, double? Difference, double? Low, double? High, double? PValue, bool Significant);
