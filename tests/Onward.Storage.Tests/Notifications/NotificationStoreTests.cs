using Onward.Contracts.Notifications;
using Onward.Contracts.Deployments;
using Onward.Core.Deployments;
using Onward.Core.Freezes;
using Onward.Core.Notifications;

namespace Onward.Storage.Tests.Notifications;

/// <summary>The same tests on both databases and on the fakes: <see cref="NotificationStoreTestsOnSqlite"/>, <see cref="NotificationStoreTestsOnPostgres"/> and <see cref="NotificationStoreTestsOnFakes"/>.</summary>
public abstract class NotificationStoreTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Changes_write_their_events_with_them_and_each_sink_that_wants_one_gets_one_delivery_claimed_once()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var store = db.Notifications;
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
        (await store.FanOutAsync(e => { told.Add(e); return e.Kind == NotificationKind.Succeeded ? ["all", "wins"] : ["all"]; }, StorageFixture.Now, None)).ShouldBe(9);
        (await store.FanOutAsync(_ => ["all"], StorageFixture.Now, None)).ShouldBe(0, "each event is fanned out once");

        told.Select(e => e.Kind).ShouldBe([NotificationKind.Built, NotificationKind.AwaitingApproval, NotificationKind.Started, NotificationKind.Succeeded,
            NotificationKind.Built, NotificationKind.Failed, NotificationKind.Restored, NotificationKind.BuildFailed, NotificationKind.FreezeStarted],
            "the second approval's waiting state and the queued and verifying steps tell nothing");
        var awaiting = told[1];
        awaiting.ShouldBe(awaiting with { Service = "shop", Environment = "prod", Version = "aaaaaaa", Commit = "aaaaaaa111", DeploymentId = waiting.Id, ReleaseId = release.Id, Actor = "bob" });
        told[5].Message.ShouldBe("exited with code 3");
        (told[7].Service, told[7].ReleaseId, told[7].Message).ShouldBe(("shop", broken.Id, "the tests failed"));
        (told[8].Environment, told[8].Actor).ShouldBe(("prod", "alice"));

        var claimed = await store.ClaimAsync("one", StorageFixture.Now, TimeSpan.FromMinutes(1), 100, [], None);
        claimed.Count.ShouldBe(10);
        (await store.ClaimAsync("two", StorageFixture.Now, TimeSpan.FromMinutes(1), 100, [], None)).ShouldBeEmpty("leased to the first");
        var again = claimed[0];
        await store.RecordAsync(again.Id, "one", SendOutcome.Again(503, "answered 503"), StorageFixture.Now, StorageFixture.Now.AddSeconds(30), None);
        foreach (var sent in claimed.Skip(1))
        {
            await store.RecordAsync(sent.Id, "one", SendOutcome.Sent(200), StorageFixture.Now, null, None);
        }
        (await store.ClaimAsync("two", StorageFixture.Now.AddSeconds(10), TimeSpan.FromMinutes(1), 100, [], None)).ShouldBeEmpty("not due yet");
        (await store.NextDueAsync(None)).ShouldBe(StorageFixture.Now.AddSeconds(30));
        var retried = (await store.ClaimAsync("two", StorageFixture.Now.AddSeconds(31), TimeSpan.FromMinutes(1), 100, [], None)).ShouldHaveSingleItem();
        (retried.Id, retried.Attempts, retried.LastStatus).ShouldBe((again.Id, 1, 503));
        var listed = await store.ListAsync(100, null, "wins", null, None);
        listed.ShouldHaveSingleItem().State.ShouldBe(NotificationState.Sent);
        (await store.ListAsync(100, null, null, NotificationState.Pending, None)).ShouldHaveSingleItem().Id.ShouldBe(again.Id);
    }

    [Fact]
    public async Task A_git_hosts_deliveries_about_a_commit_wait_behind_an_earlier_one_to_be_tried_again_and_its_deployment_ids_are_kept()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var store = db.Notifications;
        var first = await db.QueueAsync(await db.BuiltReleaseAsync("shop", "aaaaaaa111"), "dev");
        foreach (var (from, to) in new[] { (DeploymentState.Queued, DeploymentState.Applying), (DeploymentState.Applying, DeploymentState.Verifying), (DeploymentState.Verifying, DeploymentState.Succeeded) })
        {
            await db.Deployments.TransitionAsync(first.Id, new Transition(from, to, "onward", to.ToString().ToLowerInvariant()), StorageFixture.Now, None);
        }
        var other = await db.QueueAsync(await db.BuiltReleaseAsync("shop", "bbbbbbb222"), "dev");
        await db.Deployments.TransitionAsync(other.Id, new Transition(DeploymentState.Queued, DeploymentState.Applying, "onward", "applying"), StorageFixture.Now, None);
        var waiting = await db.Deployments.AddAsync(new NewDeployment("shop", "prod", other.ReleaseId, DeploymentState.AwaitingApproval, null, "bob", DeploymentTrigger.Manual, null),
            StorageFixture.Now, None);
        var unseen = await db.QueueAsync(await db.BuiltReleaseAsync("shop", "ccccccc333"), "dev-2");
        await db.Deployments.TransitionAsync(waiting.Id, new Transition(DeploymentState.AwaitingApproval, DeploymentState.Rejected, "carol", "rejected by carol"), StorageFixture.Now, None);
        await db.Deployments.TransitionAsync(unseen.Id, new Transition(DeploymentState.Queued, DeploymentState.Cancelled, "carol", "cancelled by carol"), StorageFixture.Now, None);
        var approved = await db.Deployments.AddAsync(new NewDeployment("shop", "qa", other.ReleaseId, DeploymentState.AwaitingApproval, null, "bob", DeploymentTrigger.Manual, null),
            StorageFixture.Now, None);
        await db.Deployments.TransitionAsync(approved.Id, new Transition(DeploymentState.AwaitingApproval, DeploymentState.Queued, "carol", "approved by carol"), StorageFixture.Now, None);
        await db.Deployments.TransitionAsync(approved.Id, new Transition(DeploymentState.Queued, DeploymentState.Cancelled, "carol", "cancelled by carol"), StorageFixture.Now, None);

        var told = new List<NotificationEvent>();
        await store.FanOutAsync(e => { told.Add(e); return e.DeploymentId is null ? [] : ["chat", NotificationSinks.Deployments + "shop"]; }, StorageFixture.Now, None);
        told.Where(e => e.DeploymentId is not null).Select(e => e.Kind).ShouldBe(
            [NotificationKind.Started, NotificationKind.Succeeded, NotificationKind.Started, NotificationKind.AwaitingApproval, NotificationKind.Ended,
                NotificationKind.AwaitingApproval, NotificationKind.Ended],
            "a rejected request ends what was told, and so does one cancelled once approved; a deployment only ever queued was never told");

        var claimed = await store.ClaimAsync("one", StorageFixture.Now, TimeSpan.FromMinutes(1), 100, [], None);
        claimed.Count.ShouldBe(14, "all due and none waiting: claimed together, to be sent in order");
        var started = claimed.Single(d => d.Sink != "chat" && d.Event.DeploymentId == first.Id && d.Event.Kind == NotificationKind.Started);
        await store.RecordAsync(started.Id, "one", SendOutcome.Again(503, "answered 503"), StorageFixture.Now, StorageFixture.Now.AddSeconds(30), None);
        foreach (var put in claimed.Where(d => d.Id != started.Id))
        {
            await store.PutBackAsync(put.Id, "one", None);
        }

        (await store.ClaimAsync("two", StorageFixture.Now.AddSeconds(1), TimeSpan.FromMinutes(1), 100, ["chat", NotificationSinks.Deployments + "shop"], None))
            .ShouldBeEmpty("a sink still busy sending is not claimed for");
        var next = await store.ClaimAsync("two", StorageFixture.Now.AddSeconds(1), TimeSpan.FromMinutes(1), 100, [], None);
        next.Count.ShouldBe(12, "the host's later delivery about aaaaaaa waits behind the one to be tried again");
        next.ShouldNotContain(d => d.Sink != "chat" && d.Event.Commit == "aaaaaaa111");
        next.Count(d => d.Sink == "chat" && d.Event.Commit == "aaaaaaa111").ShouldBe(2, "notifications are not held back");
        next.ShouldAllBe(d => d.Attempts == 0, "a delivery given back counts no attempt");
        var later = await store.ClaimAsync("three", StorageFixture.Now.AddSeconds(31), TimeSpan.FromMinutes(1), 100, [], None);
        later.Select(d => d.Event.Kind).ShouldBe([NotificationKind.Started, NotificationKind.Succeeded], "due again: claimed with the one behind it, in order");

        var shop = NotificationSinks.Deployments + "shop";
        (await store.HostDeploymentAsync(shop, first.Id, None)).ShouldBeNull();
        await store.AskingForHostDeploymentAsync(shop, first.Id, StorageFixture.Now, None);
        await store.AskingForHostDeploymentAsync(shop, first.Id, StorageFixture.Now.AddMinutes(1), None);
        (await store.HostDeploymentAsync(shop, first.Id, None)).ShouldBe(new HostDeployment(null, StorageFixture.Now), "asked for, no answer kept; the first time stays");
        (await store.DeploymentOfHostIdAsync("", None)).ShouldBeNull("an unanswered request holds no host id");
        await store.RememberHostDeploymentAsync(shop, first.Id, "1001", StorageFixture.Now.AddMinutes(2), None);
        await store.RememberHostDeploymentAsync(NotificationSinks.Deployments + "other", first.Id, "7", StorageFixture.Now, None);
        (await store.HostDeploymentAsync(shop, first.Id, None)).ShouldBe(new HostDeployment("1001", StorageFixture.Now));
        (await store.HostDeploymentAsync(shop, other.Id, None)).ShouldBeNull();
        (await store.DeploymentOfHostIdAsync("1001", None)).ShouldBe(first.Id);
        (await store.DeploymentOfHostIdAsync("7", None)).ShouldBe(first.Id, "held through another sink (another service of the same project) counts too");
        (await store.DeploymentOfHostIdAsync("8", None)).ShouldBeNull();
        await store.AskingForHostDeploymentAsync(shop, first.Id, StorageFixture.Now.AddMinutes(3), None);
        (await store.HostDeploymentAsync(shop, first.Id, None))!.HostId.ShouldBe("1001", "asking again keeps the id");
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

public sealed class NotificationStoreTestsOnFakes : NotificationStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Fakes;
}
