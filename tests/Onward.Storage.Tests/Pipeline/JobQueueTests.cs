using System.Collections.Concurrent;
using Onward.Core.Pipeline;

namespace Onward.Storage.Tests.Pipeline;

/// <summary>The same tests on both databases and on the fakes: <see cref="JobQueueTestsOnSqlite"/>, <see cref="JobQueueTestsOnPostgres"/> and <see cref="JobQueueTestsOnFakes"/>.</summary>
public abstract class JobQueueTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_leased_job_is_not_handed_out_again_until_its_lease_runs_out()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        await db.BuiltReleaseAsync("shop", "aaaaaaa111");
        var now = StorageFixture.Now;

        var claimed = (await db.Jobs.ClaimAsync("server-a", now, Lease, 10, None)).Single();
        claimed.Kind.ShouldBe(JobKind.Build);

        (await db.Jobs.ClaimAsync("server-b", now.AddSeconds(10), Lease, 10, None)).ShouldBeEmpty();
        var taken = (await db.Jobs.ClaimAsync("server-b", now.AddSeconds(16), Lease, 10, None)).Single();
        taken.Id.ShouldBe(claimed.Id);
        taken.Attempts.ShouldBe(2);

        await db.Jobs.CompleteAsync(claimed, "server-a", None);
        (await db.Jobs.NextDueAsync(None)).ShouldNotBeNull("only the lease holder completes a job");
        await db.Jobs.CompleteAsync(taken, "server-b", None);
        (await db.Jobs.NextDueAsync(None)).ShouldBeNull();
    }

    [Fact]
    public async Task A_server_takes_back_its_own_leases_at_once_and_leaves_others_alone()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        await db.BuiltReleaseAsync("shop", "aaaaaaa111");
        await db.BuiltReleaseAsync("shop", "bbbbbbb222");
        var now = StorageFixture.Now;
        var mine = (await db.Jobs.ClaimAsync("host:8080:abc", now, Lease, 1, None)).Single();
        var theirs = (await db.Jobs.ClaimAsync("host:8081:def", now, Lease, 1, None)).Single();

        (await db.Jobs.ReclaimAsync("host:8080:abc", now.AddSeconds(1), None)).ShouldBe(1);

        (await db.Jobs.ClaimAsync("host:8080:abc", now.AddSeconds(1), Lease, 10, None)).ShouldHaveSingleItem().Id.ShouldBe(mine.Id);
        theirs.Id.ShouldNotBe(mine.Id);
    }

    [Fact]
    public async Task A_job_woken_while_its_last_step_ran_runs_once_more_instead_of_being_completed()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        await db.BuiltReleaseAsync("shop", "aaaaaaa111");
        var now = StorageFixture.Now;
        var job = (await db.Jobs.ClaimAsync("w", now, Lease, 10, None)).Single();

        db.Jobs.Wake(job.Kind, job.Subject);
        await db.Jobs.CompleteAsync(job, "w", None);

        (await db.Jobs.ClaimAsync("w", now, Lease, 10, None)).ShouldHaveSingleItem().Id.ShouldBe(job.Id);
    }

    [Fact]
    public async Task A_rescheduled_job_comes_back_when_it_is_due()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        await db.BuiltReleaseAsync("shop", "aaaaaaa111");
        var now = StorageFixture.Now;
        var job = (await db.Jobs.ClaimAsync("w", now, Lease, 10, None)).Single();

        await db.Jobs.RescheduleAsync(job, "w", now, now.AddSeconds(5), afterError: false, None);

        (await db.Jobs.NextDueAsync(None)).ShouldBe(now.AddSeconds(5));
        (await db.Jobs.ClaimAsync("w", now.AddSeconds(4), Lease, 10, None)).ShouldBeEmpty();
        (await db.Jobs.ClaimAsync("w", now.AddSeconds(5), Lease, 10, None)).Single().Attempts.ShouldBe(1);
    }

    [Fact]
    public async Task Concurrent_workers_claim_every_job_exactly_once()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        for (var i = 0; i < 60; i++)
        {
            await db.BuiltReleaseAsync("shop", $"{i:D7}aaaa");
        }
        var seen = new ConcurrentBag<long>();

        await Task.WhenAll(Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            while (true)
            {
                var jobs = await db.Jobs.ClaimAsync($"worker-{w}", StorageFixture.Now, Lease, 3, None);
                if (jobs.Count == 0)
                {
                    return;
                }
                foreach (var job in jobs)
                {
                    seen.Add(job.Id);
                    await db.Jobs.CompleteAsync(job, $"worker-{w}", None);
                }
            }
        })));

        seen.Count.ShouldBe(60);
        seen.Distinct().Count().ShouldBe(60);
    }

    [Fact]
    public async Task A_wake_in_memory_makes_a_waiting_job_due_without_a_write_and_a_wake_during_a_step_is_kept()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        await db.BuiltReleaseAsync("shop", "aaaaaaa111");
        var now = DateTimeOffset.UtcNow;
        var job = (await db.Jobs.ClaimAsync("w", now, Lease, 10, None)).Single();
        await db.Jobs.RescheduleAsync(job, "w", now, now.AddMinutes(5), afterError: false, None);
        var before = Backend == StorageBackend.Fakes ? "" : await JobRowAsync(db, job.Id);
        var dueBefore = await db.Jobs.NextDueAsync(None);

        db.Jobs.Wake(job.Kind, job.Subject);

        if (Backend != StorageBackend.Fakes)
        {
            (await JobRowAsync(db, job.Id)).ShouldBe(before, "a wake writes nothing");
        }
        (await db.Jobs.NextDueAsync(None))!.Value.ShouldBeLessThan(dueBefore!.Value);
        var woken = (await db.Jobs.ClaimAsync("w", now, Lease, 10, None)).Single();
        woken.Id.ShouldBe(job.Id, "a woken job is claimed before its due time");
        db.Jobs.TakeWake(woken).ShouldBeFalse("the claim took the wake");

        db.Jobs.Wake(job.Kind, job.Subject);
        db.Jobs.TakeWake(woken).ShouldBeTrue("a wake during the step is there for the lease holder to run it again");
        db.Jobs.Wake(job.Kind, job.Subject);
        await db.Jobs.RescheduleAsync(woken, "w", now, now.AddMinutes(5), afterError: false, None);
        (await db.Jobs.ClaimAsync("w", now, Lease, 10, None)).ShouldHaveSingleItem("a wake during the step that nobody took makes the job due after its reschedule");
    }

    [Fact]
    public async Task Only_the_lease_holder_extends_its_lease()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        await db.BuiltReleaseAsync("shop", "aaaaaaa111");
        var now = StorageFixture.Now;
        var job = (await db.Jobs.ClaimAsync("a", now, Lease, 10, None)).Single();

        (await db.Jobs.ExtendAsync(job, "a", now.AddSeconds(40), None)).ShouldBeTrue();
        (await db.Jobs.ExtendAsync(job, "b", now.AddSeconds(90), None)).ShouldBeFalse();

        (await db.Jobs.ClaimAsync("b", now.AddSeconds(30), Lease, 10, None)).ShouldBeEmpty("the extended lease still holds");
        (await db.Jobs.ClaimAsync("b", now.AddSeconds(41), Lease, 10, None)).Single().Id.ShouldBe(job.Id);
    }

    private static async Task<string> JobRowAsync(StorageFixture db, long id)
    {
        await using var connection = await db.Database.OpenAsync(None);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT due_at || '|' || COALESCE(lease_owner, '') || '|' || wake_requested FROM jobs WHERE id = {id}";
        return (string)(await command.ExecuteScalarAsync())!;
    }
}

public sealed class JobQueueTestsOnSqlite : JobQueueTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class JobQueueTestsOnPostgres : JobQueueTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}

public sealed class JobQueueTestsOnFakes : JobQueueTests
{
    protected override StorageBackend Backend => StorageBackend.Fakes;
}
