namespace Onward.Contracts.Insight;

/// <summary>A duration measure in seconds (null without samples), with its DORA band (elite, high, medium, low).</summary>
public sealed record DoraDurationResponse(double? MedianSeconds, double? P90Seconds, int Samples, string? Band);

/// <param name="Service">Null for the measures over all services.</param>
/// <param name="ChangeFailureRate">From 0 to 1; null without changes.</param>
public sealed record DoraMeasuresResponse(
    string? Service, int Deployments, double DeploymentsPerDay, string FrequencyBand, DoraDurationResponse LeadTime,
    int FailedChanges, int Changes, double? ChangeFailureRate, string? ChangeFailureBand, DoraDurationResponse TimeToRestore);

/// <summary>The measures of one week of the window (over all services), for charts over time.</summary>
public sealed record DoraWeekResponse(DateTimeOffset From, DoraMeasuresResponse Measures);

public sealed record DoraResponse(
    string Environment, int Days, DateTimeOffset From, DateTimeOffset To, DoraMeasuresResponse Overall, IReadOnlyList<DoraMeasuresResponse> Services,
    IReadOnlyList<DoraWeekResponse> Weeks);
