using Onward.Core.Releases;
using Onward.Storage.Database;
using Onward.Storage.Pipeline;
using Onward.Storage.Releases;

namespace Onward.Storage.Tests.Pipeline;

/// <summary>Issue 15: a job made due by one replica wakes another replica's workers through PostgreSQL's LISTEN/NOTIFY.</summary>
public class JobNotificationsTests
{
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
        var listener = new JobNotifications(otherDatabase, other).RunAsync(null, stop.Token);
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await one.Releases.AddAsync(new NewRelease("shop", "abcdef1", "abcdef1234", "main", RefKind.Branch, false), StorageFixture.Now, CancellationToken.None);

        await woken.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var claimed = await other.ClaimAsync("replica-2", StorageFixture.Now, TimeSpan.FromSeconds(10), 10, CancellationToken.None);
        claimed.ShouldHaveSingleItem().Kind.ShouldBe(Onward.Core.Pipeline.JobKind.Build);
        (await one.Jobs.ClaimAsync("replica-1", StorageFixture.Now, TimeSpan.FromSeconds(10), 10, CancellationToken.None)).ShouldBeEmpty("leased by the other replica");
        await stop.CancelAsync();
        await listener;
    }
}
