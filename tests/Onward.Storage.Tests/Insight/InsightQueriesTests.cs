using Onward.Contracts.Deployments;
using Onward.Core.Deployments;
using Onward.Storage.Insight;

namespace Onward.Storage.Tests.Insight;

/// <summary>The queries behind /metrics and DORA, on both databases: <see cref="InsightQueriesTestsOnSqlite"/> and <see cref="InsightQueriesTestsOnPostgres"/>.</summary>
public abstract class InsightQueriesTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Ended_deployments_are_counted_and_listed_with_their_end_and_jobs_by_whether_they_are_due()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var queries = new InsightQueries(db.Database);
        var now = StorageFixture.Now;
        var good = await db.QueueAsync(await db.BuiltReleaseAsync("shop", "aaaaaaa111"), "dev");
        await db.Deployments.TransitionAsync(good.Id, new Transition(DeploymentState.Queued, DeploymentState.Applying, "onward", "a"), now, None);
        await db.Deployments.TransitionAsync(good.Id, new Transition(DeploymentState.Applying, DeploymentState.Succeeded, "onward", "b"), now.AddMinutes(2), None);
        var waiting = await db.QueueAsync(await db.BuiltReleaseAsync("shop", "bbbbbbb222"), "qa");

        var totals = await queries.DeploymentTotalsAsync(None);
        var ended = await queries.EndedAsync("dev", null, now.AddHours(-1), now.AddHours(1), None);
        var jobs = await queries.JobTotalsAsync(now, None);

        totals.ShouldHaveSingleItem().ShouldSatisfyAllConditions(t => (t.Service, t.Environment, t.State, t.Count).ShouldBe(("shop", "dev", "Succeeded", 1L)));
        ended.ShouldHaveSingleItem().ShouldSatisfyAllConditions(e => e.Id.ShouldBe(good.Id), e => e.CommitSha.ShouldBe("aaaaaaa111"));
        jobs.Where(j => j.State == "due").Sum(j => j.Count).ShouldBe(4L, "two builds and two deployments, none leased");
        waiting.State.ShouldBe(DeploymentState.Queued);
    }
}

public sealed class InsightQueriesTestsOnSqlite : InsightQueriesTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class InsightQueriesTestsOnPostgres : InsightQueriesTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}
