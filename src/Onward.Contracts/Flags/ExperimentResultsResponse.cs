namespace Onward.Contracts.Flags;

/// <summary>An A/B experiment's results for one conversion event, per variant, with the sample-ratio check and warnings.</summary>
/// <param name="Events">The conversion events tracked by users exposed to the flag, to pick another with <c>?event=</c>.</param>
public sealed record ExperimentResultsResponse(
    string Flag, string Environment, string Event, string Control, IReadOnlyList<VariantResultResponse> Variants,
    double? SampleRatioChiSquare, double? SampleRatioPValue, IReadOnlyList<string> Warnings, IReadOnlyList<string> Events);
