namespace Onward.Core.Flags;

/// <summary>Per variant of an experiment: users exposed to it, and those of them who converted after their first exposure.</summary>
public sealed record VariantCounts(string Variant, long Exposed, long Converted);
