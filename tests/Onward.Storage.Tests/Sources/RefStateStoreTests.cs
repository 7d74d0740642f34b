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
