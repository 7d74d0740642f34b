using Onward.Core.Drift;

namespace Onward.Storage.Tests.Drift;

/// <summary>Drift reports on both databases and on the fakes: <see cref="DriftStoreTestsOnSqlite"/>, <see cref="DriftStoreTestsOnPostgres"/> and <see cref="DriftStoreTestsOnFakes"/>.</summary>
public abstract class DriftStoreTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task One_report_per_service_and_environment_replaced_by_the_next_and_cleared_with_none()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var now = StorageFixture.Now;
        var secret = new DriftDifference("Secret/db", "data.password", "***", "***") { Secret = true, LiveDigest = "d1" };
        var first = new DriftReport(7, now, now, [new DriftDifference("Deployment/web", "spec.replicas", "2", "5")]) { Count = 1 };
        var second = new DriftReport(7, now, now.AddMinutes(1), [new DriftDifference("Deployment/web", null, "2", null), secret]) { Count = 120 };

        await db.Drift.SetAsync("web", "dev", first, None);
        await db.Drift.SetAsync("web", "dev", second, None);
        await db.Drift.SetAsync("web", "qa", first, None);
        await db.Drift.SetAsync("web", "qa", null, None);
        await db.Drift.SetAsync("web", "prod", null, None);

        var kept = (await db.Drift.GetAsync("web", "dev", None)).ShouldNotBeNull();
        (kept.DeploymentId, kept.CheckedAt, kept.Count).ShouldBe((7L, now.AddMinutes(1), 120));
        kept.Differences.ShouldBe(second.Differences);
        (await db.Drift.GetAsync("web", "qa", None)).ShouldBeNull();
        (await db.Drift.ListAsync(None)).Keys.ShouldBe([("web", "dev")]);
    }
}

public sealed class DriftStoreTestsOnSqlite : DriftStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class DriftStoreTestsOnPostgres : DriftStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}

public sealed class DriftStoreTestsOnFakes : DriftStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Fakes;
}
