using Onward.Contracts.Deployments;
using Onward.Contracts.Notifications;
using Onward.Core.Canaries;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;
using Onward.Storage.Canaries;

namespace Onward.Storage.Tests.Canaries;

/// <summary>A canary's state, judgements, asks and flags on both databases: <see cref="CanaryStoreTestsOnSqlite"/> and <see cref="CanaryStoreTestsOnPostgres"/>.</summary>
public abstract class CanaryStoreTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;

    private static async Task<Deployment> VerifyingAsync(StorageFixture db)
    {
        var release = await db.BuiltReleaseAsync("shop", "aaaaaaa111");
        var deployment = await db.Deployments.AddAsync(
            new NewDeployment("shop", "prod", release.Id, DeploymentState.Queued, "ship it", "alice", DeploymentTrigger.Manual, null), StorageFixture.Now, None);
        await db.Deployments.TransitionAsync(deployment.Id, new Transition(DeploymentState.Queued, DeploymentState.Applying, Actors.Onward, "applying"), StorageFixture.Now, None);
        await db.Deployments.TransitionAsync(deployment.Id, new Transition(DeploymentState.Applying, DeploymentState.Verifying, Actors.Onward, "verifying"), StorageFixture.Now, None);
        return deployment;
    }

    [Fact]
    public async Task The_state_is_kept_with_its_event_and_a_persons_ask_and_approvals_survive_the_runners_next_save()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var store = new CanaryStore(db.Database);
        var deployment = await VerifyingAsync(db);
        var now = StorageFixture.Now;
        var state = new CanaryState(deployment.Id, 0, 10, now, false, 0, now.AddMinutes(1), 42, null, null, []);

        await store.SaveAsync(state, false, new CanaryNote("canary: weight 10%", NotificationKind.CanaryStep, now), None);
        (await store.ApproveStepAsync(deployment.Id, 1, "bob", "approved", now, None)).ShouldBeFalse("the canary is not at step 2");
        (await store.ApproveStepAsync(deployment.Id, 0, "bob", "canary: bob approved step 1 (10%)", now, None)).ShouldBeTrue();
        (await store.ApproveStepAsync(deployment.Id, 0, "bob", "again", now, None)).ShouldBeFalse("once per person");
        (await store.AskAsync(deployment.Id, CanaryAsk.Abort, "root", "canary: root asked to abort", now, None)).ShouldBeTrue();
        (await store.AskAsync(deployment.Id, CanaryAsk.Promote, "root", "again", now, None)).ShouldBeFalse("one ask at a time");
        await store.SaveAsync(state with { PassedInStep = true, Failures = 1 }, false, null, None);

        var kept = (await store.GetAsync(deployment.Id, None)).ShouldNotBeNull();
        (kept.Step, kept.Weight, kept.PassedInStep, kept.Failures, kept.RequestsMark, kept.Asked, kept.AskedBy).ShouldBe((0, 10, true, 1, 42L, CanaryAsk.Abort, "root"));
        kept.Approvals.ShouldBe(["bob"]);
        (await db.Deployments.EventsAsync(deployment.Id, None)).Select(e => (e.Actor, e.Message)).ShouldContain(("root", "canary: root asked to abort"));

        await store.SaveAsync(kept with { Step = 1, Weight = 50, Approvals = [] }, true, null, None);
        kept = (await store.GetAsync(deployment.Id, None))!;
        (kept.Asked, kept.Approvals.Count).ShouldBe((null, 0), "a new step starts without approvals, and the ask was carried out");
    }

    [Fact]
    public async Task Judgements_come_back_oldest_first_and_nan_is_kept_as_no_value()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var store = new CanaryStore(db.Database);
        var deployment = await VerifyingAsync(db);
        var at = StorageFixture.Now;
        await store.AddAnalysesAsync(deployment.Id, [new CanaryAnalysis(at, 0, "requests", 120, null, "pass", null), new CanaryAnalysis(at, 0, "error-rate", double.NaN, 0.01, "fail", "NaN")], None);
        await store.AddAnalysesAsync(deployment.Id, [new CanaryAnalysis(at.AddMinutes(1), 0, "error-rate", 0.2, 0.01, "fail", new string('q', 5000))], None);

        var analyses = await store.AnalysesAsync(deployment.Id, 2, None);

        analyses.Select(a => (a.Metric, a.Value)).ShouldBe([("error-rate", (double?)null), ("error-rate", 0.2)]);
        analyses[1].Detail!.Length.ShouldBe(4000);
    }

    [Fact]
    public async Task Running_canaries_flags_are_listed_per_environment_while_between_0_and_100_percent()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var store = new CanaryStore(db.Database);
        var deployment = await VerifyingAsync(db);
        var now = StorageFixture.Now;
        await store.SaveAsync(new CanaryState(deployment.Id, 0, 10, now, false, 0, now, 0, null, null, []), false, null, None);
        await store.SetFlagsAsync(deployment.Id, "{\"flags\":{}}", None);

        (await store.RunningFlagsAsync("prod", None)).ShouldBe([new CanaryFlagSet(deployment.Id, "shop", "aaaaaaa", "{\"flags\":{}}")]);
        (await store.RunningFlagsAsync("dev", None)).ShouldBeEmpty();
        await store.SaveAsync(new CanaryState(deployment.Id, 9, 100, now, false, 0, now, 0, null, null, []), true, null, None);
        (await store.RunningFlagsAsync("prod", None)).ShouldBeEmpty("at 100 % the release's flags are everyone's");
    }
}

public sealed class CanaryStoreTestsOnSqlite : CanaryStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class CanaryStoreTestsOnPostgres : CanaryStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}
