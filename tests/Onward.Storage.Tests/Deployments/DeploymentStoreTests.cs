using Onward.Contracts.Deployments;
using Onward.Core.Deployments;

namespace Onward.Storage.Tests.Deployments;

/// <summary>The same tests on both databases and on the fakes: <see cref="DeploymentStoreTestsOnSqlite"/>, <see cref="DeploymentStoreTestsOnPostgres"/> and <see cref="DeploymentStoreTestsOnFakes"/>.</summary>
public abstract class DeploymentStoreTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_newer_queued_release_supersedes_an_older_queued_one_for_the_same_service_and_environment()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var older = await db.QueueAsync(await db.BuiltReleaseAsync("shop", "aaaaaaa111"), "dev-1");
        var elsewhere = await db.QueueAsync(await db.BuiltReleaseAsync("shop", "bbbbbbb222"), "dev-2");

        var newer = await db.QueueAsync(await db.BuiltReleaseAsync("shop", "ccccccc333"), "dev-1");

        (await db.Deployments.GetAsync(older.Id, None))!.State.ShouldBe(DeploymentState.Superseded);
        (await db.Deployments.GetAsync(older.Id, None))!.Reason.ShouldBe($"superseded by deployment {newer.Id}");
        (await db.Deployments.EventsAsync(older.Id, None)).Select(e => e.State).ShouldBe([DeploymentState.Queued, DeploymentState.Superseded]);
        (await db.Deployments.GetAsync(elsewhere.Id, None))!.State.ShouldBe(DeploymentState.Queued);
        newer.State.ShouldBe(DeploymentState.Queued);
    }

    /// <summary>Replicas adding deployments at the same moment: the last one waits, the others are superseded; a promotion is made once.</summary>
    [Fact]
    public async Task Deployments_added_at_once_to_one_environment_supersede_each_other_and_a_promotion_is_made_once()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        for (var round = 0; round < 5; round++)
        {
            var releases = new List<Onward.Core.Releases.Release>();
            for (var i = 0; i < 4; i++)
            {
                releases.Add(await db.BuiltReleaseAsync("shop", $"{round}{i}aaaaa{round}{i}{i}"));
            }
            await Task.WhenAll(releases.Select(r => Task.Run(() => db.QueueAsync(r, "dev-1"))));
            var promotions = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => db.Deployments.AddAsync(
                new NewDeployment("shop", "prod", releases[0].Id, DeploymentState.Queued, null, "onward", DeploymentTrigger.Promotion, null), StorageFixture.Now, None))));

            var queued = (await db.Deployments.ListAsync(new DeploymentQuery("shop", "dev-1", null, 100), None)).Where(d => d.State == DeploymentState.Queued).ToList();
            queued.Count.ShouldBe(1, $"round {round}: one deployment waits, the others are superseded");
            promotions.Select(p => p.Id).Distinct().ShouldHaveSingleItem($"round {round}: a release is promoted to an environment once");
            await db.Deployments.TransitionAsync(queued[0].Id, new Transition(DeploymentState.Queued, DeploymentState.Cancelled, "onward", "next round"), StorageFixture.Now, None);
            await db.Deployments.TransitionAsync(promotions[0].Id, new Transition(DeploymentState.Queued, DeploymentState.Cancelled, "onward", "next round"), StorageFixture.Now, None);
        }
    }

    [Fact]
    public async Task A_list_can_be_of_the_deployments_of_some_releases()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var a = await db.BuiltReleaseAsync("shop", "aaaaaaa111");
        var b = await db.BuiltReleaseAsync("shop", "bbbbbbb222");
        var c = await db.BuiltReleaseAsync("cart", "ccccccc333");
        var ofA = await db.QueueAsync(a, "dev-1");
        await db.QueueAsync(b, "dev-2");
        var ofC = await db.QueueAsync(c, "dev-1");

        (await db.Deployments.ListAsync(new DeploymentQuery(null, null, null, 100) { ReleaseIds = [a.Id, c.Id] }, None)).Select(d => d.Id).ShouldBe([ofC.Id, ofA.Id]);
        (await db.Deployments.ListAsync(new DeploymentQuery(null, null, null, 100) { ReleaseIds = [] }, None)).ShouldBeEmpty();
        (await db.Deployments.ListAsync(new DeploymentQuery(null, null, null, 100), None)).Count.ShouldBe(3, "without ReleaseIds, every release");
    }

    [Fact]
    public async Task Only_one_deployment_per_service_and_environment_holds_it_at_a_time()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var first = await db.QueueAsync(await db.BuiltReleaseAsync("shop", "aaaaaaa111"), "dev-1");
        var startFirst = new Transition(DeploymentState.Queued, DeploymentState.Applying, "onward", "applying") { RequireEnvironmentFree = true };
        (await db.Deployments.TransitionAsync(first.Id, startFirst, StorageFixture.Now, None)).ShouldBeTrue();
        var second = await db.QueueAsync(await db.BuiltReleaseAsync("shop", "bbbbbbb222"), "dev-1");
        var other = await db.QueueAsync(await db.BuiltReleaseAsync("shop", "ccccccc333"), "dev-2");

        (await db.Deployments.TransitionAsync(second.Id, startFirst, StorageFixture.Now, None)).ShouldBeFalse();
        (await db.Deployments.TransitionAsync(other.Id, startFirst, StorageFixture.Now, None)).ShouldBeTrue();
        (await db.Deployments.EventsAsync(second.Id, None)).Count.ShouldBe(1);

        await db.Deployments.TransitionAsync(first.Id, new Transition(DeploymentState.Applying, DeploymentState.Failed, "onward", "crashed"), StorageFixture.Now, None);
        (await db.Deployments.TransitionAsync(second.Id, startFirst, StorageFixture.Now, None)).ShouldBeTrue();
    }

    [Fact]
    public async Task A_transition_from_a_state_the_deployment_is_no_longer_in_changes_nothing()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var deployment = await db.QueueAsync(await db.BuiltReleaseAsync("shop", "aaaaaaa111"), "dev-1");

        var changed = await db.Deployments.TransitionAsync(deployment.Id,
            new Transition(DeploymentState.Verifying, DeploymentState.Succeeded, "onward", "verified"), StorageFixture.Now, None);

        changed.ShouldBeFalse();
        (await db.Deployments.GetAsync(deployment.Id, None))!.State.ShouldBe(DeploymentState.Queued);
        (await db.Deployments.EventsAsync(deployment.Id, None)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task The_current_release_of_an_environment_is_the_last_one_that_succeeded_there()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        async Task<Deployment> RunAsync(string commit, DeploymentState end, int minutes)
        {
            var d = await db.QueueAsync(await db.BuiltReleaseAsync("shop", commit), "dev-1");
            var at = StorageFixture.Now.AddMinutes(minutes);
            await db.Deployments.TransitionAsync(d.Id, new Transition(DeploymentState.Queued, DeploymentState.Applying, "onward", "a"), at, None);
            await db.Deployments.TransitionAsync(d.Id, new Transition(DeploymentState.Applying, end, "onward", "b"), at, None);
            return d;
        }
        (await db.Deployments.CurrentAsync("shop", "dev-1", None)).ShouldBeNull();
        var good = await RunAsync("aaaaaaa111", DeploymentState.Succeeded, 1);
        await RunAsync("bbbbbbb222", DeploymentState.Failed, 2);

        var current = await db.Deployments.CurrentAsync("shop", "dev-1", None);

        current!.Id.ShouldBe(good.Id);
        current.Commit.ShouldBe("aaaaaaa111");
        (await db.Deployments.CurrentAllAsync(None)).Single().Id.ShouldBe(good.Id);
        (await db.Deployments.LatestAllAsync(None)).Single().State.ShouldBe(DeploymentState.Failed);
        (await db.Deployments.HasSucceededAsync(good.ReleaseId, "dev-1", None)).ShouldBeTrue();
        (await db.Deployments.HasSucceededAsync(good.ReleaseId, "dev-2", None)).ShouldBeFalse();
    }

    [Fact]
    public async Task A_blocked_request_is_recorded_with_its_reason_and_gets_no_job()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var release = await db.BuiltReleaseAsync("shop", "aaaaaaa111");
        (await db.Jobs.ClaimAsync("w", StorageFixture.Now, TimeSpan.FromSeconds(10), 100, None)).Count.ShouldBe(1);

        var blocked = await db.Deployments.AddAsync(new NewDeployment("shop", "prod", release.Id, DeploymentState.Blocked,
            "forward-only: nope", "bob", DeploymentTrigger.Manual, null), StorageFixture.Now, None);

        blocked.State.ShouldBe(DeploymentState.Blocked);
        (await db.Deployments.EventsAsync(blocked.Id, None)).Single().Message.ShouldBe("forward-only: nope");
        (await db.Jobs.ClaimAsync("w", StorageFixture.Now, TimeSpan.FromSeconds(10), 100, None)).ShouldBeEmpty();
    }
}

public sealed class DeploymentStoreTestsOnSqlite : DeploymentStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class DeploymentStoreTestsOnPostgres : DeploymentStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}

public sealed class DeploymentStoreTestsOnFakes : DeploymentStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Fakes;
}
