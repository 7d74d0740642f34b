namespace Onward.Storage.Tests.Sources;

/// <summary>What was last read of each repository, on both databases and on the fakes: <see cref="RefStateStoreTestsOnSqlite"/>, <see cref="RefStateStoreTestsOnPostgres"/> and <see cref="RefStateStoreTestsOnFakes"/>.</summary>
public abstract class RefStateStoreTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Nothing_before_the_first_read_then_exactly_what_the_last_read_saw_even_when_that_was_no_refs()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var heads = new Dictionary<string, string> { ["refs/heads/main"] = "aaaaaaa111", ["refs/tags/1.0.0"] = "bbbbbbb222" };

        (await db.RefState.GetAsync("web", None)).ShouldBeNull("never read: every tag there is old history");
        await db.RefState.SaveAsync("web", heads, None);
        heads["refs/heads/main"] = "changed after saving";
        (await db.RefState.GetAsync("web", None)).ShouldBe(new Dictionary<string, string> { ["refs/heads/main"] = "aaaaaaa111", ["refs/tags/1.0.0"] = "bbbbbbb222" });
        await db.RefState.SaveAsync("web", new Dictionary<string, string>(), None);
        (await db.RefState.GetAsync("web", None)).ShouldNotBeNull().ShouldBeEmpty("read, and empty");
        (await db.RefState.GetAsync("shop", None)).ShouldBeNull();
    }

    [Fact]
    public async Task Warnings_are_kept_per_service_and_a_change_is_told_once_whichever_replica_sets_it()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var now = StorageFixture.Now;

        (await db.RefState.SetWarningsAsync("web", ["no branch `main`"], now, None)).ShouldBeTrue();
        (await db.RefState.SetWarningsAsync("web", ["no branch `main`"], now.AddSeconds(5), None)).ShouldBeFalse("the same again");
        (await db.RefState.SetWarningsAsync("shop", [], now, None)).ShouldBeFalse("none, and none before");
        (await db.RefState.SetWarningsAsync("shop", ["cannot be read: refused", "and more"], now, None)).ShouldBeTrue();
        (await db.RefState.WarningsAsync(None)).OrderBy(w => w.Key).Select(w => (w.Key, string.Join("|", w.Value)))
            .ShouldBe([("shop", "cannot be read: refused|and more"), ("web", "no branch `main`")]);
        (await db.RefState.SetWarningsAsync("web", [], now, None)).ShouldBeTrue("cleared");
        (await db.RefState.WarningsAsync(None)).Keys.ShouldBe(["shop"]);
    }
}


public sealed class RefStateStoreTestsOnSqlite : RefStateStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class RefStateStoreTestsOnPostgres : RefStateStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}

public sealed class RefStateStoreTestsOnFakes : RefStateStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Fakes;
}
