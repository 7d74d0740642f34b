using Onward.Contracts.Deployments;
using Onward.Core.Deployments;
using Onward.Core.Notifications;
using Onward.Storage.Notifications;

namespace Onward.Storage.Tests.Notifications;

/// <summary>The same tests on both databases: <see cref="NotificationStoreTestsOnSqlite"/> and <see cref="NotificationStoreTestsOnPostgres"/>.</summary>
public abstract class NotificationStoreTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Changes_write_their_events_with_them_and_each_sink_that_wants_one_gets_one_delivery_claimed_once()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var store = new NotificationStore(db.Database);
        var release = await db.BuiltReleaseAsync("shop", "aaaaaaa111");
        var waiting = await db.Deployments.AddAsync(new NewDeployment("shop", "prod", release.Id, DeploymentState.AwaitingApproval, null, "bob", DeploymentTrigger.Manual, null)
        { Waiting = "1 approval from release-managers" }, StorageFixture.Now, None);
        await db.Deployments.TransitionAsync(waiting.Id, new Transition(DeploymentState.AwaitingApproval, DeploymentState.AwaitingApproval, "alice", "approved by alice (1 of 2)"), StorageFixture.Now, None);
        await db.Deployments.TransitionAsync(waiting.Id, new Transition(DeploymentState.AwaitingApproval, DeploymentState.Queued, "carol", "approved"), StorageFixture.Now, None);
        foreach (var (from, to) in new[] { (DeploymentState.Queued, DeploymentState.Applying), (DeploymentState.Applying, DeploymentState.Verifying), (DeploymentState.Verifying, DeploymentState.Succeeded) })
        {
            await db.Deployments.TransitionAsync(waiting.Id, new Transition(from, to, "onward", to.ToString().ToLowerInvariant()), StorageFixture.Now, None);
        }
        var failing = await db.QueueAsync(await db.BuiltReleaseAsync("shop", "bbbbbbb222"), "prod");
        await db.Deployments.TransitionAsync(failing.Id, new Transition(DeploymentState.Queued, DeploymentState.Failed, "onward", "failed") { Reason = "exited with code 3" }, StorageFixture.Now, None);
        await db.Deployments.TransitionAsync(failing.Id, new Transition(DeploymentState.Failed, DeploymentState.Failed, "onward", "restored aaaaaaa") { RestoreState = RestoreState.Done }, StorageFixture.Now, None);
        var broken = (await db.Releases.AddAsync(new Onward.Core.Releases.NewRelease("shop", "ccccccc", "ccccccc333", "main", Onward.Core.Releases.RefKind.Branch, false), StorageFixture.Now, None))!;
        await db.Releases.MarkBuildFailedAsync(broken.Id, "the tests failed", StorageFixture.Now, None);
        await db.Freezes.SetAsync("prod", StorageFixture.Now.AddHours(2), "release train", "alice", StorageFixture.Now, None);

        var told = new List<NotificationEvent>();
        (await store.FanOutAsync(e => { told.Add(e); return e.Kind == NotificationKinds.Succeeded ? ["all", "wins"] : ["all"]; }, StorageFixture.Now, None)).ShouldBe(9);
        (await store.FanOutAsync(_ => ["all"], StorageFixture.Now, None)).ShouldBe(0, "each event is fanned out once");

        told.Select(e => e.Kind).ShouldBe([NotificationKinds.Built, NotificationKinds.AwaitingApproval, NotificationKinds.Started, NotificationKinds.Succeeded,
            NotificationKinds.Built, NotificationKinds.Failed, NotificationKinds.Restored, NotificationKinds.BuildFailed, NotificationKinds.FreezeStarted],
            "the second approval's waiting state and the queued and verifying steps tell nothing");
        var awaiting = told[1];
        awaiting.ShouldBe(awaiting with { Service = "shop", Environment = "prod", Version = "aaaaaaa", Commit = "aaaaaaa111", DeploymentId = waiting.Id, ReleaseId = release.Id, Actor = "bob" });
        told[5].Message.ShouldBe("exited with code 3");
        (told[7].Service, told[7].ReleaseId, told[7].Message).ShouldBe(("shop", broken.Id, "the tests failed"));
        (told[8].Environment, told[8].Actor).ShouldBe(("prod", "alice"));

        var claimed = await store.ClaimAsync("one", StorageFixture.Now, TimeSpan.FromMinutes(1), 100, None);
        claimed.Count.ShouldBe(10);
        (await store.ClaimAsync("two", StorageFixture.Now, TimeSpan.FromMinutes(1), 100, None)).ShouldBeEmpty("leased to the first");
        var again = claimed[0];
        await store.RecordAsync(again.Id, "one", SendOutcome.Again(503, "answered 503"), StorageFixture.Now, StorageFixture.Now.AddSeconds(30), None);
        foreach (var sent in claimed.Skip(1))
        {
            await store.RecordAsync(sent.Id, "one", SendOutcome.Sent(200), StorageFixture.Now, null, None);
        }
        (await store.ClaimAsync("two", StorageFixture.Now.AddSeconds(10), TimeSpan.FromMinutes(1), 100, None)).ShouldBeEmpty("not due yet");
        (await store.NextDueAsync(None)).ShouldBe(StorageFixture.Now.AddSeconds(30));
        var retried = (await store.ClaimAsync("two", StorageFixture.Now.AddSeconds(31), TimeSpan.FromMinutes(1), 100, None)).ShouldHaveSingleItem();
        (retried.Id, retried.Attempts, retried.LastStatus).ShouldBe((again.Id, 1, 503));
        var listed = await store.ListAsync(100, null, "wins", null, None);
        listed.ShouldHaveSingleItem().State.ShouldBe(NotificationState.Sent);
        (await store.ListAsync(100, null, null, NotificationState.Pending, None)).ShouldHaveSingleItem().Id.ShouldBe(again.Id);
    }
}

public sealed class NotificationStoreTestsOnSqlite : NotificationStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class NotificationStoreTestsOnPostgres : NotificationStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}
