using Onward.Core.Configuration;
using Onward.Core.Insight;
using Onward.Core.Sources;
using Onward.Storage.Insight;

namespace Onward.Server.Views;

/// <summary>Gathers what the DORA measures need: the environment's ended deployments, and from git the commits each brought.</summary>
public sealed class DoraReports(ConfigSource configuration, InsightQueries queries, ISourceRepository source, TimeProvider time)
{
    private OnwardConfig config => configuration.Current;

    /// <summary>Most commits looked at for one deployment's lead time.</summary>
    private const int MostCommits = 1000;

    /// <summary>The measures over the window, per service and overall, and overall for each week of it (oldest first; the last week up to now, maybe shorter).</summary>
    public sealed record Report(DateTimeOffset From, DateTimeOffset To, DoraMeasures Overall, IReadOnlyList<DoraMeasures> Services, IReadOnlyList<(DateTimeOffset From, DoraMeasures Measures)> Weeks);

    public async Task<Report> MeasureAsync(string environment, string? service, int days, CancellationToken cancellationToken)
    {
        var (from, to, deployments) = await GatherAsync(environment, service, days, cancellationToken);
        var (overall, services) = Dora.Measure(deployments, days);
        var weeks = new List<(DateTimeOffset, DoraMeasures)>();
        for (var start = from; start < to; start = start.AddDays(7))
        {
            var end = start.AddDays(7) < to ? start.AddDays(7) : to;
            var length = Math.Max(1, (int)Math.Round((end - start).TotalDays));
            weeks.Add((start, Dora.Measure(deployments.Where(d => d.EndedAt >= start && d.EndedAt < end).ToList(), length).Overall));
        }
        return new Report(from, to, overall, services, weeks);
    }

    private async Task<(DateTimeOffset From, DateTimeOffset To, List<DoraDeployment> Deployments)> GatherAsync(
        string environment, string? service, int days, CancellationToken cancellationToken)
    {
        var to = time.GetUtcNow();
        var from = to.AddDays(-days);
        var ended = await queries.EndedAsync(environment, service, from, to, cancellationToken);
        var deployments = new List<DoraDeployment>();
        foreach (var group in ended.GroupBy(d => d.Service, StringComparer.Ordinal))
        {
            var known = config.FindService(group.Key) is not null;
            var previous = known ? await queries.VerifiedBeforeAsync(group.Key, environment, from, cancellationToken) : null;
            foreach (var deployment in group)
            {
                var endedAt = DateTimeOffset.FromUnixTimeMilliseconds(deployment.EndedAt);
                if (deployment.State != "Succeeded")
                {
                    deployments.Add(new DoraDeployment(deployment.Id, deployment.Service, false, endedAt, null, false));
                    continue;
                }
                // The commits this deployment brought: those of its release that the environment's previous release lacked.
                var commits = known && previous != deployment.CommitSha
                    ? await source.CommitsAsync(deployment.Service, previous, deployment.CommitSha, MostCommits, cancellationToken)
                    : [];
                deployments.Add(new DoraDeployment(deployment.Id, deployment.Service, true, endedAt,
                    commits.Count == 0 ? null : commits.Min(c => c.CommittedAt), commits.Any(c => IsFix(c.Subject))));
                previous = deployment.CommitSha;
            }
        }
        return (from, to, deployments);
    }

    /// <summary>A commit that fixes or reverts: its subject starts with fix, hotfix or revert (also as <c>fix:</c> or <c>fix(scope):</c>).</summary>
    public static bool IsFix(string subject)
    {
        var word = new string(subject.TrimStart().TakeWhile(char.IsLetter).ToArray()).ToLowerInvariant();
        return word is "fix" or "fixes" or "fixed" or "hotfix" or "revert";
    }
}
