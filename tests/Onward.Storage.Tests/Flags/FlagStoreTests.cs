using System.Text.Json.Nodes;
using Onward.Contracts.Flags;
using Onward.Core.Approvals;
using Onward.Core.Audit;
using Onward.Core.Flags;

namespace Onward.Storage.Tests.Flags;

/// <summary>Flag sets, switches, their history and requests for changes on both databases and on the fakes: <see cref="FlagStoreTestsOnSqlite"/>, <see cref="FlagStoreTestsOnPostgres"/> and <see cref="FlagStoreTestsOnFakes"/>.</summary>
public abstract class FlagStoreTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_set_per_owner_a_switch_per_flag_and_every_change_in_the_history_and_the_audit_trail()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var now = StorageFixture.Now;
        var after = new JsonObject { ["state"] = "DISABLED" };
        var change = new FlagChange(0, "prod", "shout", "dave", now, "too loud", "switch", new JsonObject { ["state"] = "ENABLED" }, after, null);

        await db.Flags.SaveSetAsync(new StoredFlagSet("prod", null, "{\"flags\":{}}", null, null, "root", now), [], None);
        await db.Flags.SaveSetAsync(new StoredFlagSet("prod", "web", "{\"flags\":{\"a\":1}}", 3, "1.0.0", "onward", now), [], None);
        await db.Flags.SaveSetAsync(new StoredFlagSet("prod", null, "{\"flags\":{\"b\":2}}", null, null, "root", now.AddMinutes(1)), [], None);
        await db.Flags.SaveSwitchAsync(new FlagSwitch("prod", "shout", false, null, null, "dave", "too loud", now), change, None);
        var removed = await db.Flags.RemoveSwitchAsync("prod", "shout", change with { Comment = "back", Before = after, After = null }, None);
        var notThere = await db.Flags.RemoveSwitchAsync("prod", "shout", change, None);

        (await db.Flags.SetsAsync("prod", None)).OrderBy(s => s.Service).Select(s => (s.Service, s.Document)).ShouldBe([(null, "{\"flags\":{\"b\":2}}"), ("web", "{\"flags\":{\"a\":1}}")]);
        (await db.Flags.SetsAsync("dev", None)).ShouldBeEmpty();
        (removed, notThere).ShouldBe((true, false));
        (await db.Flags.SwitchesAsync("prod", None)).ShouldBeEmpty();
        var history = await db.Flags.HistoryAsync("prod", "shout", 10, null, None);
        history.Select(c => c.Comment).ShouldBe(["back", "too loud"], "newest first");
        (await db.Flags.HistoryAsync("prod", null, 10, history[0].Id, None)).ShouldHaveSingleItem().Comment.ShouldBe("too loud");
        (await db.Audit.ListAsync(new AuditQuery(null, "prod", null, 10), None)).Select(e => (e.Action, e.Message))
            .ShouldBe([("flag.switch", "flag shout removed: back"), ("flag.switch", "flag shout changed (state): too loud")]);
    }

    [Fact]
    public async Task A_request_is_decided_once_per_person_while_it_is_pending_and_ends_once()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var now = StorageFixture.Now;
        var request = await db.FlagRequests.AddAsync(
            new FlagChangeRequest(0, "prod", FlagRequestKind.Switch, "shout", "{}", "dave", "louder", FlagRequestState.Pending, now, null), None);

        (await db.FlagRequests.DecideAsync(request.Id, "alice", ApprovalDecision.Approved, null, now, None)).ShouldBeTrue();
        (await db.FlagRequests.DecideAsync(request.Id, "alice", ApprovalDecision.Rejected, "changed my mind", now, None)).ShouldBeFalse("once per person");
        await db.FlagRequests.EndAsync(request.Id, FlagRequestState.Applied, "shout switched", None);
        await db.FlagRequests.EndAsync(request.Id, FlagRequestState.Failed, "too late", None);
        (await db.FlagRequests.DecideAsync(request.Id, "bob", ApprovalDecision.Approved, null, now, None)).ShouldBeFalse("no longer pending");

        var ended = (await db.FlagRequests.GetAsync(request.Id, None))!;
        (ended.Kind, ended.State, ended.Outcome).ShouldBe((FlagRequestKind.Switch, FlagRequestState.Applied, "shout switched"));
        (await db.FlagRequests.DecisionsAsync(request.Id, None)).ShouldHaveSingleItem().By.ShouldBe("alice");
        (await db.FlagRequests.ListAsync("prod", pendingOnly: true, None)).ShouldBeEmpty();
        (await db.FlagRequests.ListAsync("prod", pendingOnly: false, None)).ShouldHaveSingleItem();
        (await db.Audit.ListAsync(new AuditQuery(null, "prod", null, 10), None)).Select(e => e.Action).ShouldBe(["flag.approved", "flag.requested"]);
    }
}

public sealed class FlagStoreTestsOnSqlite : FlagStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class FlagStoreTestsOnPostgres : FlagStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}

public sealed class FlagStoreTestsOnFakes : FlagStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Fakes;
}
