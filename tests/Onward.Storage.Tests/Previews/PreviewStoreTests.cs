using Microsoft.Extensions.Logging.Abstractions;
using Onward.Contracts.Notifications;
using Onward.Core.Audit;
using Onward.Core.Configuration;
using Onward.Core.Previews;
using Onward.Storage.Pipeline;
using Onward.Storage.Previews;
using Onward.Testing.Fakes;

namespace Onward.Storage.Tests.Previews;

/// <summary>
/// Previews on both databases, moved by <see cref="PreviewRequests"/> on a clock the test moves: the time to live, the
/// most at once, the ports of the range, what a look at the host's open pull requests changes, and the audit trail.
/// </summary>
public abstract class PreviewStoreTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;

    private const string Head1 = "1111111111111111111111111111111111111111";
    private const string Head2 = "2222222222222222222222222222222222222222";
    private const string Head3 = "3333333333333333333333333333333333333333";

    private sealed record Setup(StorageFixture Db, PreviewStore Store, PreviewRequests Requests, ManualClock Clock, ServiceConfig Service) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Db.DisposeAsync();
    }

    private async Task<Setup> StartAsync(string previews)
    {
        var db = await StorageFixture.CreateAsync(Backend);
        var parsed = ConfigParser.Parse(
            "auth: { mode: tokens }\nenvironments:\n  dev-1: { target: { local: {} }, policy: { autoDeploy: main } }\n"
            + "services:\n  shop:\n    repository: https://git.example/shop.git\n    build: { command: { run: make } }\n"
            + "    deploy: { local: { command: run, healthUrl: \"http://127.0.0.1:{port}/\" } }\n"
            + $"    previews: {{ from: dev-1{previews} }}\n",
            "onward.yaml", "/srv", _ => null, _ => true);
        parsed.Problems.ShouldBeEmpty();
        var clock = new ManualClock(StorageFixture.Now);
        var store = new PreviewStore(db.Database, new JobQueue(db.Database));
        return new Setup(db, store, new PreviewRequests(parsed.Config!, store, clock, NullLogger<PreviewRequests>.Instance), clock, parsed.Config!.Services[0]);
    }

    [Fact]
    public async Task A_preview_without_a_push_for_its_ttl_is_destroyed_and_a_push_keeps_it_alive()
    {
        await using var setup = await StartAsync(", ttl: 2h");
        await setup.Requests.PushedAsync(setup.Service, new OpenPullRequest(1, "feature/a", Head1, null, null), "opened", None);
        setup.Clock.Advance(TimeSpan.FromMinutes(90));
        await setup.Requests.PushedAsync(setup.Service, new OpenPullRequest(1, "feature/a", Head2, null, null), "synchronize", None);

        setup.Clock.Advance(TimeSpan.FromMinutes(100));
        await setup.Requests.ExpireAsync(None);
        (await setup.Store.FindAsync("shop", 1, None))!.State.ShouldBe(PreviewState.Building, "100 minutes since its last push");

        setup.Clock.Advance(TimeSpan.FromMinutes(20));
        await setup.Requests.ExpireAsync(None);
        var ended = (await setup.Store.FindAsync("shop", 1, None))!;
        ended.State.ShouldBe(PreviewState.Destroying);
        ended.Ending.ShouldBe("no push for 2h00m (previews.ttl)");
        (await setup.Db.Jobs.ClaimAsync("test", setup.Clock.GetUtcNow(), TimeSpan.FromMinutes(1), 10, None)).ShouldContain(j => j.Subject == ended.Id, "its job removes what runs");

        await setup.Store.DestroyedAsync(ended.Id, "stopped 1 release process", 10, null, setup.Clock.GetUtcNow(), None);
        (await setup.Store.LiveAsync(None)).ShouldBeEmpty();
        var trail = await setup.Db.Audit.ListAsync(new AuditQuery(null, "shop-pr-1", null, 50), None);
        trail.Select(a => a.Action).ShouldBe(["preview.destroyed", "preview.destroying", "preview.updated", "preview.created"]);
        trail[0].Message.ShouldBe("stopped 1 release process");
        await setup.Requests.ExpireAsync(None);
        (await setup.Store.LiveAsync(None)).ShouldBeEmpty();

        // The same head seen again (a look at the host, a title edited) does not bring it back; a reopen or a new push does.
        setup.Clock.Advance(TimeSpan.FromSeconds(1));
        await setup.Requests.ReconcileAsync(setup.Service, [new OpenPullRequest(1, "feature/a", Head2, null, null)], setup.Clock.GetUtcNow(), None);
        await setup.Requests.PushedAsync(setup.Service, new OpenPullRequest(1, "feature/a", Head2, null, null), "updated", None);
        (await setup.Store.LiveAsync(None)).ShouldBeEmpty("destroyed while its pull request stayed open: back only with a new head or a reopen");
        await setup.Requests.PushedAsync(setup.Service, new OpenPullRequest(1, "feature/a", Head2, null, null), "reopened", None, opened: true);
        (await setup.Store.LiveAsync(None)).ShouldHaveSingleItem().State.ShouldBe(PreviewState.Building);
        await setup.Requests.EndAsync(setup.Service, 1, "by hand", "alice", None);
        await setup.Store.DestroyedAsync(ended.Id, "gone", 10, null, setup.Clock.GetUtcNow(), None);
        setup.Clock.Advance(TimeSpan.FromSeconds(1));
        await setup.Requests.ReconcileAsync(setup.Service, [new OpenPullRequest(1, "feature/a", Head3, null, null)], setup.Clock.GetUtcNow(), None);
        (await setup.Store.LiveAsync(None)).ShouldHaveSingleItem().Commit.ShouldBe(Head3);
    }

    [Fact]
    public async Task More_than_max_wait_oldest_first_and_take_the_ports_of_those_that_go()
    {
        await using var setup = await StartAsync(", max: 2, ports: 9200-9201");
        foreach (var (number, head) in new[] { (10L, Head1), (11L, Head2), (12L, Head3), (13L, Head1) })
        {
            setup.Clock.Advance(TimeSpan.FromSeconds(1));
            await setup.Requests.PushedAsync(setup.Service, new OpenPullRequest(number, "feature/" + number, head, null, null), "opened", None);
        }
        var live = await setup.Store.LiveAsync(None);
        live.Select(p => (p.Number, p.State, p.Port)).ShouldBe([(10L, PreviewState.Building, (int?)9200), (11L, PreviewState.Building, 9201),
            (12L, PreviewState.Waiting, null), (13L, PreviewState.Waiting, null)]);

        var ended = await setup.Requests.EndAsync(setup.Service, 10, "closed", "onward", None);
        await setup.Store.DestroyedAsync(ended!.Id, "gone", 2, (9200, 9201), setup.Clock.GetUtcNow(), None);

        live = await setup.Store.LiveAsync(None);
        live.Select(p => (p.Number, p.State, p.Port)).ShouldBe([(11L, PreviewState.Building, (int?)9201), (12L, PreviewState.Building, 9200),
            (13L, PreviewState.Waiting, null)], "the oldest waiting one takes the place and the port");
    }

    [Fact]
    public async Task A_push_while_it_is_being_destroyed_brings_it_back_with_that_head_once_destroyed()
    {
        await using var setup = await StartAsync("");
        await setup.Requests.PushedAsync(setup.Service, new OpenPullRequest(4, "feature/a", Head1, null, null), "opened", None);
        var ending = await setup.Requests.EndAsync(setup.Service, 4, "pull request #4 closed", "onward", None);

        await setup.Requests.PushedAsync(setup.Service, new OpenPullRequest(4, "feature/a", Head2, null, null), "reopened", None);
        (await setup.Store.FindAsync("shop", 4, None))!.State.ShouldBe(PreviewState.Destroying, "what ran goes first");
        await setup.Store.DestroyedAsync(ending!.Id, "gone", 10, null, setup.Clock.GetUtcNow(), None);

        var back = (await setup.Store.FindAsync("shop", 4, None))!;
        (back.State, back.Commit, back.Ending, back.DestroyedAt).ShouldBe((PreviewState.Building, Head2, (string?)null, (DateTimeOffset?)null));

        // Closed again while being destroyed: the push in between no longer brings it back.
        var again = await setup.Requests.EndAsync(setup.Service, 4, "pull request #4 closed", "onward", None);
        await setup.Requests.PushedAsync(setup.Service, new OpenPullRequest(4, "feature/a", Head3, null, null), "synchronize", None);
        (await setup.Requests.EndAsync(setup.Service, 4, "pull request #4 closed again", "onward", None)).ShouldNotBeNull();
        await setup.Store.DestroyedAsync(again!.Id, "gone", 10, null, setup.Clock.GetUtcNow(), None);
        (await setup.Store.FindAsync("shop", 4, None))!.State.ShouldBe(PreviewState.Destroyed);
    }

    [Fact]
    public async Task A_previews_job_is_left_to_the_replica_that_runs_its_environment()
    {
        await using var setup = await StartAsync("");
        var (preview, _) = await setup.Store.PushedAsync(new PreviewPush("shop", 12, "feature/x", Head1, null, null, 10, null, "opened"), StorageFixture.Now, None);

        (await setup.Db.Jobs.NextDueAsync(["shop-pr-12"], None)).ShouldBeNull();
        (await setup.Db.Jobs.ClaimAsync("other", StorageFixture.Now, TimeSpan.FromMinutes(1), 10, ["shop-pr-12"], None)).ShouldBeEmpty();
        (await setup.Db.Jobs.ClaimAsync("local", StorageFixture.Now, TimeSpan.FromMinutes(1), 10, ["dev-1"], None)).ShouldHaveSingleItem().Subject.ShouldBe(preview.Id);
    }

    [Fact]
    public async Task A_look_at_the_host_destroys_previews_of_closed_pull_requests_and_moves_those_whose_head_moved()
    {
        await using var setup = await StartAsync("");
        await setup.Requests.PushedAsync(setup.Service, new OpenPullRequest(1, "feature/a", Head1, null, null), "opened", None);
        await setup.Requests.PushedAsync(setup.Service, new OpenPullRequest(2, "feature/b", Head1, null, null), "opened", None);

        setup.Clock.Advance(TimeSpan.FromSeconds(1));
        var lookedAt = setup.Clock.GetUtcNow();
        setup.Clock.Advance(TimeSpan.FromSeconds(1));
        // Opened while the host's list was read: not in the list, and not destroyed for it.
        await setup.Requests.PushedAsync(setup.Service, new OpenPullRequest(9, "feature/new", Head1, null, null), "opened", None, opened: true);
        await setup.Requests.ReconcileAsync(setup.Service, [new OpenPullRequest(2, "feature/b", Head2, "refs/pull/2/head", null), new OpenPullRequest(3, "fix/c", Head3, null, null)], lookedAt, None);
        (await setup.Store.FindAsync("shop", 9, None))!.State.ShouldBe(PreviewState.Building, "newer than the list");

        (await setup.Store.FindAsync("shop", 1, None))!.State.ShouldBe(PreviewState.Destroying);
        (await setup.Store.FindAsync("shop", 1, None))!.Ending.ShouldBe("pull request #1 is no longer open on the host");
        var moved = (await setup.Store.FindAsync("shop", 2, None))!;
        (moved.Commit, moved.HeadRef, moved.State).ShouldBe((Head2, "refs/pull/2/head", PreviewState.Building));
        (await setup.Store.FindAsync("shop", 3, None))!.State.ShouldBe(PreviewState.Building, "a pull request whose opening was not heard of");
    }

    [Fact]
    public async Task Moving_a_preview_on_fails_when_a_push_came_in_between_and_a_destroy_tells_the_hosts_deployment()
    {
        await using var setup = await StartAsync("");
        var (preview, changed) = await setup.Store.PushedAsync(new PreviewPush("shop", 5, "feature/x", Head1, null, null, 10, null, "opened"), StorageFixture.Now, None);
        changed.ShouldBeTrue();
        (await setup.Store.PushedAsync(new PreviewPush("shop", 5, "feature/x", Head1, null, null, 10, null, "again"), StorageFixture.Now, None)).Changed.ShouldBeFalse();
        await setup.Store.PushedAsync(new PreviewPush("shop", 5, "feature/x", Head2, null, null, 10, null, "synchronize"), StorageFixture.Now, None);

        (await setup.Store.MoveAsync(preview, preview with { State = PreviewState.Ready }, StorageFixture.Now, None)).ShouldBeFalse("the head moved since it was read");
        var now = (await setup.Store.GetAsync(preview.Id, None))!;
        (await setup.Store.MoveAsync(now, now with { State = PreviewState.Failed, Failure = "the build failed: exit 2" }, StorageFixture.Now, None)).ShouldBeTrue();
        (await setup.Store.GetAsync(preview.Id, None))!.Failure.ShouldBe("the build failed: exit 2");

        var release = await setup.Db.BuiltReleaseAsync("shop", Head2[..10]);
        var deployment = await setup.Db.Deployments.AddAsync(new Core.Deployments.NewDeployment("shop", "shop-pr-5", release.Id, Contracts.Deployments.DeploymentState.Queued,
            null, "onward", Core.Deployments.DeploymentTrigger.Auto, null), StorageFixture.Now, None);
        foreach (var (from, to) in new[] { (Contracts.Deployments.DeploymentState.Queued, Contracts.Deployments.DeploymentState.Applying), (Contracts.Deployments.DeploymentState.Applying, Contracts.Deployments.DeploymentState.Verifying), (Contracts.Deployments.DeploymentState.Verifying, Contracts.Deployments.DeploymentState.Succeeded) })
        {
            await setup.Db.Deployments.TransitionAsync(deployment.Id, new Core.Deployments.Transition(from, to, "onward", to.ToString()), StorageFixture.Now, None);
        }
        await setup.Store.EndAsync("shop", 5, "closed", "onward", StorageFixture.Now, None);
        await setup.Store.DestroyedAsync(preview.Id, "gone", 10, null, StorageFixture.Now, None);

        var told = new List<Core.Notifications.NotificationEvent>();
        await setup.Db.Notifications.FanOutAsync(e =>
        {
            told.Add(e);
            return [];
        }, StorageFixture.Now, None);
        told.ShouldContain(e => e.Kind == NotificationKind.Retired && e.DeploymentId == deployment.Id && e.Environment == "shop-pr-5");
    }
}

public sealed class PreviewStoreTestsOnSqlite : PreviewStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class PreviewStoreTestsOnPostgres : PreviewStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}
