namespace Onward.Core.Insight;

/// <summary>A deployment that ended in an environment, as the DORA measures see it.</summary>
/// <param name="EndedAt">When it was verified, or when it failed.</param>
/// <param name="FirstCommitAt">For a verified one: when the oldest of its commits not yet in the environment was made; null when unknown.</param>
/// <param name="Fixes">For a verified one: whether its new commits include a fix or a revert (a subject starting with fix, hotfix or revert).</param>
public sealed record DoraDeployment(long Id, string Service, bool Succeeded, DateTimeOffset EndedAt, DateTimeOffset? FirstCommitAt, bool Fixes);

/// <summary>The performance band of a measure, after the clusters of the 2023 State of DevOps report.</summary>
public enum DoraBand
{
    Low,
    Medium,
    High,
    Elite,
}

public sealed record DoraDuration(TimeSpan? Median, TimeSpan? P90, int Samples, DoraBand? Band);

public sealed record DoraMeasures(
    string? Service, int Deployments, double PerDay, DoraBand FrequencyBand, DoraDuration LeadTime,
    int FailedChanges, int Changes, double? ChangeFailureRate, DoraBand? ChangeFailureBand, DoraDuration TimeToRestore);

/// <summary>
/// The four DORA measures of one environment over a window, from its deployments:
/// <list type="bullet">
/// <item><b>Deployment frequency</b>: verified deployments per day. Elite: one a day or more; high: one a week or more;
/// medium: one a month or more; low: fewer.</item>
/// <item><b>Lead time for changes</b>: from the oldest commit a deployment brought into the environment to its
/// verification (median, p90). Elite: under a day; high: under a week; medium: under a month; low: longer.</item>
/// <item><b>Change failure rate</b>: of the changes (verified or failed deployments), those that failed, and the
/// verified ones that the next deployment of the service within <see cref="FixWindow"/> fixed or reverted. Elite: 5%
/// or less; high: 10% or less; medium: 15% or less; low: more.</item>
/// <item><b>Time to restore</b>: from a failed change to the next verified deployment of the service there (median,
/// p90). Elite: under an hour; high: under a day; medium: under a week; low: longer.</item>
/// </list>
/// Each per service and over all services.
/// </summary>
public static class Dora
{
    /// <summary>How soon after a verified deployment a fix or revert counts it as a failed change.</summary>
    public static readonly TimeSpan FixWindow = TimeSpan.FromDays(1);

    /// <param name="deployments">The environment's deployments that ended within the window, any order.</param>
    public static (DoraMeasures Overall, IReadOnlyList<DoraMeasures> Services) Measure(IReadOnlyList<DoraDeployment> deployments, int days)
    {
        var services = deployments.GroupBy(d => d.Service, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => MeasureService(g.Key, g.OrderBy(d => d.EndedAt).ThenBy(d => d.Id).ToList(), days)).ToList();
        var failures = services.SelectMany(s => s.Failures).ToList();
        var restores = services.SelectMany(s => s.Restores).ToList();
        var leads = services.SelectMany(s => s.Leads).ToList();
        var overall = Build(null, services.Sum(s => s.Measures.Deployments), days, leads, failures.Count, services.Sum(s => s.Measures.Changes), restores);
        return (overall, services.Select(s => s.Measures).ToList());
    }

    public static DoraBand FrequencyBand(double perDay) => perDay >= 1 ? DoraBand.Elite : perDay >= 1 / 7.0 ? DoraBand.High : perDay >= 1 / 30.0 ? DoraBand.Medium : DoraBand.Low;

    public static DoraBand LeadTimeBand(TimeSpan median) =>
        median < TimeSpan.FromDays(1) ? DoraBand.Elite : median < TimeSpan.FromDays(7) ? DoraBand.High : median < TimeSpan.FromDays(30) ? DoraBand.Medium : DoraBand.Low;

    public static DoraBand ChangeFailureBand(double rate) => rate <= 0.05 ? DoraBand.Elite : rate <= 0.10 ? DoraBand.High : rate <= 0.15 ? DoraBand.Medium : DoraBand.Low;

    public static DoraBand RestoreBand(TimeSpan median) =>
        median < TimeSpan.FromHours(1) ? DoraBand.Elite : median < TimeSpan.FromDays(1) ? DoraBand.High : median < TimeSpan.FromDays(7) ? DoraBand.Medium : DoraBand.Low;

    /// <summary>The value below which <paramref name="fraction"/> of the sorted values fall (nearest rank).</summary>
    public static TimeSpan Percentile(IReadOnlyList<TimeSpan> sorted, double fraction) =>
        sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)];

    private sealed record ServiceResult(DoraMeasures Measures, List<TimeSpan> Leads, List<long> Failures, List<TimeSpan> Restores);

    private static ServiceResult MeasureService(string service, List<DoraDeployment> ordered, int days)
    {
        var verified = ordered.Where(d => d.Succeeded).ToList();
        var leads = verified.Where(d => d.FirstCommitAt is not null).Select(d => Max(TimeSpan.Zero, d.EndedAt - d.FirstCommitAt!.Value)).ToList();
        var failures = new List<(long Id, DateTimeOffset At)>();
        for (var i = 0; i < ordered.Count; i++)
        {
            var deployment = ordered[i];
            if (!deployment.Succeeded)
            {
                failures.Add((deployment.Id, deployment.EndedAt));
                continue;
            }
            var next = ordered.Skip(i + 1).FirstOrDefault(d => d.Succeeded);
            if (next is not null && next.Fixes && next.EndedAt - deployment.EndedAt <= FixWindow)
            {
                failures.Add((deployment.Id, deployment.EndedAt));
            }
        }
        var restores = failures
            .Select(f => ordered.FirstOrDefault(d => d.Succeeded && d.EndedAt > f.At && d.Id != f.Id) is { } back ? back.EndedAt - f.At : (TimeSpan?)null)
            .OfType<TimeSpan>().ToList();
        var measures = Build(service, verified.Count, days, leads, failures.Count, ordered.Count, restores);
        return new ServiceResult(measures, leads, failures.Select(f => f.Id).ToList(), restores);
    }

    private static DoraMeasures Build(string? service, int verified, int days, List<TimeSpan> leads, int failedChanges, int changes, List<TimeSpan> restores)
    {
        var perDay = verified / (double)days;
        var rate = changes == 0 ? (double?)null : failedChanges / (double)changes;
        return new DoraMeasures(service, verified, perDay, FrequencyBand(perDay), Durations(leads, LeadTimeBand),
            failedChanges, changes, rate, rate is { } r ? ChangeFailureBand(r) : null, Durations(restores, RestoreBand));
    }

    private static DoraDuration Durations(List<TimeSpan> values, Func<TimeSpan, DoraBand> band)
    {
        if (values.Count == 0)
        {
            return new DoraDuration(null, null, 0, null);
        }
        var sorted = values.Order().ToList();
        var median = Percentile(sorted, 0.5);
        return new DoraDuration(median, Percentile(sorted, 0.9), sorted.Count, band(median));
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
