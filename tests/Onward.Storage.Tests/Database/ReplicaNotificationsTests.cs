using Onward.Core.Flags;
using Onward.Core.Releases;
using Onward.Storage.Database;
using Onward.Storage.Flags;
using Onward.Storage.Pipeline;

namespace Onward.Storage.Tests.Database;

/// <summary>
/// Issue 15: what one replica changes reaches the others through PostgreSQL's LISTEN/NOTIFY (a job made due wakes their
/// workers, flags changed are read again), and flag changes take turns across replicas.
/// </summary>
public class ReplicaNotificationsTests
{
    private const string Flags = """{"flags": {"shout": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"}}}""";

    [Fact]
    public async Task A_job_one_replica_enqueues_wakes_the_other_replicas_workers_and_the_other_replica_claims_it()
    {
        await using var one = await StorageFixture.CreateAsync(StorageBackend.Postgres);
        using var otherDatabase = PostgresDatabase.FromUrl(one.PostgresUrl!);
        var other = new JobQueue(otherDatabase);
        var woken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        other.JobAdded += () => (listening.Task.IsCompleted ? woken : listening).TrySetResult();
        var listener = new ReplicaNotifications(otherDatabase, other, new FlagCatalog(new FlagStore(otherDatabase), TimeProvider.System)).RunAsync(null, stop.Token);
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await one.Releases.AddAsync(new NewRelease("shop", "abcdef1", "abcdef1234", "main", RefKind.Branch, false), StorageFixture.Now, CancellationToken.None);

        await woken.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var claimed = await other.ClaimAsync("replica-2", StorageFixture.Now, TimeSpan.FromSeconds(10), 10, CancellationToken.None);
        claimed.ShouldHaveSingleItem().Kind.ShouldBe(Onward.Core.Pipeline.JobKind.Build);
        (await one.Jobs.ClaimAsync("replica-1", StorageFixture.Now, TimeSpan.FromSeconds(10), 10, CancellationToken.None)).ShouldBeEmpty("leased by the other replica");
        await stop.CancelAsync();
        await listener;
    }

    [Fact]
    public async Task Flags_one_replica_changes_are_read_again_by_the_other_and_its_streams_are_told()
    {
        await using var fixture = await StorageFixture.CreateAsync(StorageBackend.Postgres);
        var one = new FlagCatalog(new FlagStore(fixture.Database), TimeProvider.System);
        using var otherDatabase = PostgresDatabase.FromUrl(fixture.PostgresUrl!);
        var other = new FlagCatalog(new FlagStore(otherDatabase), TimeProvider.System);
        (await one.ReplaceEnvironmentSetAsync("dev", Flags, "alice", CancellationToken.None)).Problems.ShouldBeEmpty();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var told = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        (await other.GetAsync("dev", CancellationToken.None)).Flags["shout"].Flag.DefaultVariant.ShouldBe("off");
        other.Changed += environment => (listening.Task.IsCompleted ? told : null)?.TrySetResult(environment);
        other.Changed += _ => listening.TrySetResult();
        using var stop = new CancellationTokenSource();
        var listener = new ReplicaNotifications(otherDatabase, new JobQueue(otherDatabase), other).RunAsync(null, stop.Token);
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var (switched, problems) = await one.SwitchAsync("dev", "shout", null, "on", null, "alice", "louder", CancellationToken.None);

        problems.ShouldBeEmpty();
        switched.ShouldNotBeNull();
        (await told.Task.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe("dev");
        (await other.GetAsync("dev", CancellationToken.None)).Flags["shout"].Flag.DefaultVariant.ShouldBe("on", "the other replica reads the change, not what it had built");
        await stop.CancelAsync();
        await listener;
    }

    [Fact]
    public async Task Switches_of_one_flag_made_at_once_on_two_replicas_both_count()
    {
        await using var fixture = await StorageFixture.CreateAsync(StorageBackend.Postgres);
        var one = new FlagCatalog(new FlagStore(fixture.Database), TimeProvider.System);
        using var otherDatabase = PostgresDatabase.FromUrl(fixture.PostgresUrl!);
        var other = new FlagCatalog(new FlagStore(otherDatabase), TimeProvider.System);
        (await one.ReplaceEnvironmentSetAsync("dev", Flags, "alice", CancellationToken.None)).Problems.ShouldBeEmpty();

        for (var round = 0; round < 10; round++)
        {
            // Both have the flags built (as replicas serving them do), then each switches a different part at once.
            await one.GetAsync("dev", CancellationToken.None);
            await other.GetAsync("dev", CancellationToken.None);
            var variant = round % 2 == 0 ? "on" : "off";
            var enabled = round % 2 == 1;
            await Task.WhenAll(
                Task.Run(() => one.SwitchAsync("dev", "shout", enabled, null, null, "alice", $"round {round}", CancellationToken.None)),
                Task.Run(() => other.SwitchAsync("dev", "shout", null, variant, null, "bob", $"round {round}", CancellationToken.None)));

            var fresh = new FlagCatalog(new FlagStore(fixture.Database), TimeProvider.System);
            var flagSwitch = (await fresh.GetAsync("dev", CancellationToken.None)).Flags["shout"].Switch!;
            (flagSwitch.Enabled, flagSwitch.DefaultVariant).ShouldBe((enabled, variant), $"round {round}: neither switch is lost");
        }
        (await one.HistoryAsync("dev", "shout", 100, null, CancellationToken.None)).Count.ShouldBe(21, "the set, then two switches a round");
    }
}
