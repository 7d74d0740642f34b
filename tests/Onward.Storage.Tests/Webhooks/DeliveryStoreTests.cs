using Onward.Core.Pipeline;
using Onward.Core.Releases;
using Onward.Core.Webhooks;

namespace Onward.Storage.Tests.Webhooks;

/// <summary>The same tests on both databases and on the fakes: <see cref="DeliveryStoreTestsOnSqlite"/>, <see cref="DeliveryStoreTestsOnPostgres"/> and <see cref="DeliveryStoreTestsOnFakes"/>.</summary>
public abstract class DeliveryStoreTests
{
    protected abstract StorageBackend Backend { get; }

    /// <summary>Deliveries arriving together are recorded together (PostgreSQL groups them into one statement): each once, with its job.</summary>
    [Fact]
    public async Task Deliveries_arriving_at_once_are_each_recorded_once_with_their_job_and_redeliveries_are_told_apart()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var store = db.Deliveries;
        var deliveries = Enumerable.Range(0, 200).Select(i => new NewDelivery("github", "push", $"delivery-{i % 100}", "https://git.example/shop.git",
            "refs/heads/main", RefKind.Branch, "main", $"{i % 100:d7}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false,
            i % 2 == 0 ? DeliveryAction.Build : DeliveryAction.Ignore, "a push")).ToList();

        var recorded = await Task.WhenAll(deliveries.Select(d => Task.Run(() => store.AddAsync(d, null, StorageFixture.Now, CancellationToken.None))));

        recorded.Count(r => r is not null).ShouldBe(100, "each provider delivery id once");
        recorded.OfType<Delivery>().Select(r => r.DeliveryId).ShouldBeUnique();
        recorded.OfType<Delivery>().Select(r => r.Id).ShouldBeUnique();
        var listed = await store.ListAsync(500, null, null, null, CancellationToken.None);
        listed.Count.ShouldBe(100);
        foreach (var delivery in recorded.OfType<Delivery>())
        {
            var stored = listed.Single(d => d.Id == delivery.Id);
            (stored.DeliveryId, stored.Action, stored.Commit).ShouldBe((delivery.DeliveryId, delivery.Action, delivery.Commit));
        }
        var jobs = await db.Jobs.ClaimAsync("test", StorageFixture.Now, TimeSpan.FromMinutes(1), 500, CancellationToken.None);
        jobs.Where(j => j.Kind == JobKind.Delivery).Select(j => j.Subject).Order()
            .ShouldBe(recorded.OfType<Delivery>().Where(d => d.Action == DeliveryAction.Build).Select(d => d.Id).Order(), "a job for each delivery to build, none for the others");
    }
}

public sealed class DeliveryStoreTestsOnSqlite : DeliveryStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class DeliveryStoreTestsOnPostgres : DeliveryStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}

public sealed class DeliveryStoreTestsOnFakes : DeliveryStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Fakes;
}
