using Onward.Contracts.Deployments;
using Onward.Core.Approvals;
using Onward.Core.Audit;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;

namespace Onward.Storage.Tests.Approvals;

/// <summary>The same tests on both databases and on the fakes: <see cref="ApprovalStoreTestsOnSqlite"/>, <see cref="ApprovalStoreTestsOnPostgres"/> and <see cref="ApprovalStoreTestsOnFakes"/>.</summary>
public abstract class ApprovalStoreTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;

    private static DecisionWording Wording(string who) => new(n => $"approved by {who} ({n} of 2)", n => $"{2 - n} more approval(s)");

    private static async Task<Deployment> AwaitingAsync(StorageFixture db)
    {
        var release = await db.BuiltReleaseAsync("shop", "aaaaaaa111");
        return await db.Deployments.AddAsync(
            new NewDeployment("shop", "prod", release.Id, DeploymentState.AwaitingApproval, "ship it", "alice", DeploymentTrigger.Manual, null),
            StorageFixture.Now, None);
    }

    [Fact]
    public async Task Many_approvals_racing_for_the_last_slot_queue_the_deployment_once()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var deployment = await AwaitingAsync(db);
        // The deployment's job waits far ahead, as it does while approvals are out; the approval that completes the
        // set must make it due.
        foreach (var job in await db.Jobs.ClaimAsync("w", StorageFixture.Now, TimeSpan.FromSeconds(15), 10, None))
        {
            await db.Jobs.RescheduleAsync(job, "w", StorageFixture.Now, StorageFixture.Now.AddDays(1), afterError: false, None);
        }
        (await db.Approvals.DecideAsync(new Approval(deployment.Id, "bob", ApprovalDecision.Approved, null, StorageFixture.Now), 2, Wording("bob"), None))
            .Result.ShouldBe(DecisionResult.Recorded);
        (await db.Jobs.ClaimAsync("w", StorageFixture.Now, TimeSpan.FromSeconds(15), 10, None)).ShouldBeEmpty("one approval of two leaves the job waiting");

        var racers = Enumerable.Range(0, 12).Select(i => $"approver-{i}").ToList();
        using var start = new ManualResetEventSlim();
        var racing = racers.Select(who => Task.Run(async () =>
        {
            start.Wait();
            return await db.Approvals.DecideAsync(new Approval(deployment.Id, who, ApprovalDecision.Approved, null, StorageFixture.Now), 2, Wording(who), None);
        })).ToList();
        start.Set();
        var outcomes = await Task.WhenAll(racing);

        outcomes.Count(o => o.Result == DecisionResult.Completed).ShouldBe(1);
        outcomes.Count(o => o.Result == DecisionResult.NotAwaiting).ShouldBe(racers.Count - 1);
        (await db.Approvals.ListAsync(deployment.Id, None)).Count.ShouldBe(2);
        (await db.Deployments.GetAsync(deployment.Id, None))!.State.ShouldBe(DeploymentState.Queued);
        var due = (await db.Jobs.ClaimAsync("w", StorageFixture.Now, TimeSpan.FromSeconds(15), 10, None)).ShouldHaveSingleItem();
        due.ShouldSatisfyAllConditions(j => j.Kind.ShouldBe(JobKind.Deploy), j => j.Subject.ShouldBe(deployment.Id));
    }

    [Fact]
    public async Task One_person_decides_once_and_a_rejection_ends_the_deployment()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var deployment = await AwaitingAsync(db);

        (await db.Approvals.DecideAsync(new Approval(deployment.Id, "bob", ApprovalDecision.Approved, null, StorageFixture.Now), 2, Wording("bob"), None))
            .Result.ShouldBe(DecisionResult.Recorded);
        (await db.Deployments.GetAsync(deployment.Id, None))!.Waiting.ShouldBe("1 more approval(s)");
        (await db.Approvals.DecideAsync(new Approval(deployment.Id, "bob", ApprovalDecision.Approved, null, StorageFixture.Now), 2, Wording("bob"), None))
            .Result.ShouldBe(DecisionResult.AlreadyDecided);
        var rejected = await db.Approvals.DecideAsync(
            new Approval(deployment.Id, "carol", ApprovalDecision.Rejected, "not during the sale", StorageFixture.Now), 2, new DecisionWording(_ => "rejected by carol: not during the sale", _ => ""), None);

        rejected.Result.ShouldBe(DecisionResult.Rejected);
        var ended = (await db.Deployments.GetAsync(deployment.Id, None))!;
        ended.State.ShouldBe(DeploymentState.Rejected);
        ended.Reason.ShouldBe("rejected by carol: not during the sale");
        var trail = await db.Audit.ListAsync(new AuditQuery("shop", null, null, 10), None);
        trail.Select(e => (e.Actor, e.Action)).ShouldBe([("carol", "deployment.rejected"), ("bob", "deployment.awaitingApproval"), ("alice", "deployment.awaitingApproval")]);
    }

}

public sealed class ApprovalStoreTestsOnSqlite : ApprovalStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class ApprovalStoreTestsOnPostgres : ApprovalStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}

public sealed class ApprovalStoreTestsOnFakes : ApprovalStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Fakes;
}
