namespace Onward.Core.Drift;

/// <summary>How an environment's live state differs from its current deployment, since when, as last checked.</summary>
public sealed record DriftReport(long DeploymentId, DateTimeOffset Since, DateTimeOffset CheckedAt, IReadOnlyList<DriftDifference> Differences)
{
    /// <summary>At most this many differences are kept; the count says how many there were.</summary>
    public const int MostKept = 50;

    public int Count { get; init; }
}
