namespace Onward.Storage.Tests.LocalProcesses;

/// <summary>Ports of local processes on both databases and on the fakes: <see cref="LocalPortStoreTestsOnSqlite"/>, <see cref="LocalPortStoreTestsOnPostgres"/> and <see cref="LocalPortStoreTestsOnFakes"/>.</summary>
public abstract class LocalPortStoreTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_first_port_proposed_is_the_service_and_environments_for_good_and_one_taken_is_refused()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);

        (await db.LocalPorts.GetOrAssignAsync("web", "dev", 8101, None)).ShouldBe(8101);
        (await db.LocalPorts.GetOrAssignAsync("web", "dev", 8200, None)).ShouldBe(8101, "kept across restarts and proposals");
        (await db.LocalPorts.GetOrAssignAsync("shop", "dev", 8101, None)).ShouldBeNull("another's port");
        (await db.LocalPorts.GetOrAssignAsync("shop", "dev", 8102, None)).ShouldBe(8102);
    }
}

public sealed class LocalPortStoreTestsOnSqlite : LocalPortStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class LocalPortStoreTestsOnPostgres : LocalPortStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}

public sealed class LocalPortStoreTestsOnFakes : LocalPortStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Fakes;
}
