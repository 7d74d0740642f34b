using Onward.Contracts.Notifications;
using Onward.Core.Freezes;
using Onward.Core.Notifications;

namespace Onward.Storage.Tests.Freezes;

/// <summary>Freezes and freeze windows on both databases and on the fakes: <see cref="FreezeStoreTestsOnSqlite"/>, <see cref="FreezeStoreTestsOnPostgres"/>, <see cref="FreezeStoreTestsOnFakes"/>.</summary>
public abstract class FreezeStoreTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;

    private static ActiveFreeze Window(DateTimeOffset began, DateTimeOffset until) => new(until, "a window") { Began = began };

    [Fact]
    public async Task A_freeze_windows_beginning_and_end_and_a_freeze_running_out_are_told_once_whichever_replica_records_them()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var store = db.Notifications;
        var now = StorageFixture.Now;
        (await db.Freezes.WindowsFrozenAsync(None)).ShouldBeEmpty();
        (await db.Freezes.RecordWindowAsync("prod", Window(now, now.AddHours(2)), "window began", now, None)).ShouldBeTrue();
        (await db.Freezes.RecordWindowAsync("prod", Window(now, now.AddHours(2)), "window began", now, None)).ShouldBeFalse("another replica saw it first");
        (await db.Freezes.WindowsFrozenAsync(None)).ShouldBe(new Dictionary<string, DateTimeOffset> { ["prod"] = now });
        (await db.Freezes.RecordWindowAsync("prod", null, "window ended", now.AddHours(1), None))
            .ShouldBeFalse("a replica whose clock is behind does not end the window another has begun");
        (await db.Freezes.RecordWindowAsync("prod", null, "window ended", now.AddHours(2), None)).ShouldBeTrue();
        (await db.Freezes.RecordWindowAsync("prod", null, "window ended", now.AddHours(2), None)).ShouldBeFalse();
        (await db.Freezes.RecordWindowAsync("prod", Window(now, now.AddHours(2)), "window began", now.AddHours(2).AddSeconds(-1), None))
            .ShouldBeFalse("nor begins again the window another has ended");
        (await db.Freezes.RecordWindowAsync("dev", null, "never frozen", now, None)).ShouldBeFalse("nothing to end");
        (await db.Freezes.RecordWindowAsync("staging", Window(now.AddHours(3), now.AddHours(5)), "window began", now.AddHours(3), None)).ShouldBeTrue();
        (await db.Freezes.EndRemovedWindowAsync("staging", now.AddHours(3).AddSeconds(-1), "removed", now.AddHours(4), None))
            .ShouldBeFalse("not the window that began then");
        (await db.Freezes.EndRemovedWindowAsync("staging", now.AddHours(3), "removed", now.AddHours(4), None)).ShouldBeTrue("ended before its recorded end");
        (await db.Freezes.EndRemovedWindowAsync("staging", now.AddHours(3), "removed", now.AddHours(4), None)).ShouldBeFalse("once across replicas");
        (await db.Freezes.RecordWindowAsync("staging", Window(now.AddHours(3), now.AddHours(5)), "window began", now.AddHours(4).AddSeconds(1), None))
            .ShouldBeFalse("a replica still reading the old onward.yaml does not begin it again");
        (await db.Freezes.WindowsFrozenAsync(None)).ShouldBeEmpty();
        (await db.Freezes.RecordWindowAsync("staging", Window(now.AddHours(4).AddMinutes(30), now.AddHours(5)), "moved window began", now.AddHours(4).AddMinutes(30), None))
            .ShouldBeTrue("a window that began after the last end was recorded (moved in onward.yaml) begins, though it ends when the removed one did");
        (await db.Freezes.RecordWindowAsync("staging", null, "moved window ended", now.AddHours(5), None)).ShouldBeTrue();
        await db.Freezes.SetAsync("dev", now.AddMinutes(30), "migration", "alice", now, None);
        await db.Freezes.SetAsync("qa", now.AddMinutes(30), "tests", "bob", now, None);
        await db.Freezes.LiftAsync("qa", "bob", now.AddMinutes(10), None);
        (await db.Freezes.TellRunOutAsync(now.AddMinutes(20), None)).ShouldBeEmpty("not run out yet");
        (await db.Freezes.TellRunOutAsync(now.AddMinutes(31), None)).ShouldHaveSingleItem().Environment.ShouldBe("dev", "a lifted freeze was told when lifted");
        (await db.Freezes.TellRunOutAsync(now.AddMinutes(32), None)).ShouldBeEmpty("told once");

        var told = new List<NotificationEvent>();
        await store.FanOutAsync(e => { told.Add(e); return []; }, now, None);
        told.Select(e => (e.Kind, e.Environment, e.Actor)).ShouldBe([
            (NotificationKind.FreezeStarted, "prod", "onward"), (NotificationKind.FreezeEnded, "prod", "onward"),
            (NotificationKind.FreezeStarted, "staging", "onward"), (NotificationKind.FreezeEnded, "staging", "onward"),
            (NotificationKind.FreezeStarted, "staging", "onward"), (NotificationKind.FreezeEnded, "staging", "onward"),
            (NotificationKind.FreezeStarted, "dev", "alice"), (NotificationKind.FreezeStarted, "qa", "bob"), (NotificationKind.FreezeEnded, "qa", "bob"),
            (NotificationKind.FreezeEnded, "dev", "onward")]);
        told[^1].Message.ShouldStartWith("freeze of dev set by alice (migration) ended at ");
    }
}

public sealed class FreezeStoreTestsOnSqlite : FreezeStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class FreezeStoreTestsOnPostgres : FreezeStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}

public sealed class FreezeStoreTestsOnFakes : FreezeStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Fakes;
}
