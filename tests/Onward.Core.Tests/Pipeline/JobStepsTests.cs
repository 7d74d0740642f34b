using Microsoft.Extensions.Logging.Abstractions;
using Onward.Core.Pipeline;
using Onward.Testing.Fakes;

namespace Onward.Core.Tests.Pipeline;

public class JobStepsTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(1, 500)]
    [InlineData(2, 1_000)]
    [InlineData(3, 2_000)]
    [InlineData(6, 16_000)]
    [InlineData(7, 30_000)]
    [InlineData(20, 30_000)]
    public void A_failed_attempt_waits_twice_as_long_as_the_one_before_up_to_thirty_seconds(int attempts, int milliseconds) =>
        JobRetryPolicy.Backoff(attempts).ShouldBe(TimeSpan.FromMilliseconds(milliseconds));

    [Fact]
    public async Task A_step_that_throws_is_tried_again_after_its_backoff_with_the_attempt_in_the_timeline_and_its_attempts_kept()
    {
        var (queue, clock, handler, steps) = Setup();
        handler.Next = () => throw new IOException("the API server did not answer");
        var job = await ClaimAsync(queue, clock);

        await steps.RunAsync(job, "me", CancellationToken.None);

        handler.Notes.ShouldBe([(7L, "attempt 1 failed: the API server did not answer; trying again in 500ms")]);
        handler.Abandoned.ShouldBeEmpty();
        (await queue.NextDueAsync(CancellationToken.None)).ShouldBe(clock.GetUtcNow() + TimeSpan.FromMilliseconds(500));
        (await queue.ClaimAsync("me", clock.GetUtcNow(), Lease, 10, CancellationToken.None)).ShouldBeEmpty("not due before its backoff");
        clock.Advance(TimeSpan.FromMilliseconds(500));
        (await queue.ClaimAsync("me", clock.GetUtcNow(), Lease, 10, CancellationToken.None)).ShouldHaveSingleItem().Attempts.ShouldBe(2, "a retry after an error counts on");
    }

    [Fact]
    public async Task A_job_failing_its_eighth_attempt_is_given_up_with_the_last_error_and_leaves_the_queue()
    {
        var (queue, clock, handler, steps) = Setup();
        handler.Next = () => throw new IOException("connection refused");

        for (var attempt = 1; attempt <= JobRetryPolicy.GiveUpAfterAttempts; attempt++)
        {
            var job = await ClaimAsync(queue, clock);
            job.Attempts.ShouldBe(attempt);
            await steps.RunAsync(job, "me", CancellationToken.None);
            clock.Advance(JobRetryPolicy.LongestBackoff);
        }

        handler.Notes.Count.ShouldBe(JobRetryPolicy.GiveUpAfterAttempts - 1);
        handler.Abandoned.ShouldBe([(7L, "gave up after 8 attempts; last error: connection refused")]);
        queue.All.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_failure_no_retry_can_change_ends_the_job_at_once()
    {
        var (queue, clock, handler, steps) = Setup();
        handler.Next = () => throw new PermanentFailureException("the image reference is not valid");

        await steps.RunAsync(await ClaimAsync(queue, clock), "me", CancellationToken.None);

        handler.Abandoned.ShouldBe([(7L, "the image reference is not valid")]);
        handler.Notes.ShouldBeEmpty();
        queue.All.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_step_that_waits_goes_back_to_the_queue_with_its_recheck_and_attempts_start_over_and_a_done_step_completes_the_job()
    {
        var (queue, clock, handler, steps) = Setup();
        handler.Next = () => throw new IOException("flaky");
        await steps.RunAsync(await ClaimAsync(queue, clock), "me", CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(1));
        handler.Next = () => StepResult.Wait(TimeSpan.FromSeconds(10));

        await steps.RunAsync(await ClaimAsync(queue, clock), "me", CancellationToken.None);

        (await queue.NextDueAsync(CancellationToken.None)).ShouldBe(clock.GetUtcNow() + TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(10));
        var again = await ClaimAsync(queue, clock);
        again.Attempts.ShouldBe(1, "a step that made progress starts counting failures anew");
        handler.Next = () => StepResult.Done();
        await steps.RunAsync(again, "me", CancellationToken.None);
        queue.All.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_step_woken_while_it_ran_runs_again_under_the_same_lease()
    {
        var (queue, clock, handler, steps) = Setup();
        var calls = 0;
        handler.Next = () =>
        {
            if (++calls == 1)
            {
                queue.Wake(JobKind.Deploy, 7);
                return StepResult.Wait(TimeSpan.FromMinutes(5));
            }
            return StepResult.Done();
        };

        await steps.RunAsync(await ClaimAsync(queue, clock), "me", CancellationToken.None);

        calls.ShouldBe(2);
        queue.All.ShouldBeEmpty();
    }

    private static (FakeJobQueue Queue, ManualClock Clock, ScriptedHandler Handler, JobSteps Steps) Setup()
    {
        var database = new FakeDatabase();
        var clock = new ManualClock(Start);
        var handler = new ScriptedHandler();
        database.Jobs.Enqueue(JobKind.Deploy, 7, Start, "dev");
        return (database.Jobs, clock, handler, new JobSteps(database.Jobs, [handler], clock, NullLogger<JobSteps>.Instance));
    }

    private static async Task<Job> ClaimAsync(FakeJobQueue queue, ManualClock clock) =>
        (await queue.ClaimAsync("me", clock.GetUtcNow(), Lease, 10, CancellationToken.None)).ShouldHaveSingleItem();

    private sealed class ScriptedHandler : IJobHandler
    {
        public Func<StepResult> Next { get; set; } = () => StepResult.Done();

        public List<(long Subject, string Reason)> Abandoned { get; } = [];

        public List<(long Subject, string Note)> Notes { get; } = [];

        public JobKind Kind => JobKind.Deploy;

        public Task<StepResult> StepAsync(long subject, CancellationToken cancellationToken) => Task.FromResult(Next());

        public Task AbandonAsync(long subject, string reason, CancellationToken cancellationToken)
        {
            Abandoned.Add((subject, reason));
            return Task.CompletedTask;
        }

        public Task NoteAttemptAsync(long subject, string note, CancellationToken cancellationToken)
        {
            Notes.Add((subject, note));
            return Task.CompletedTask;
        }
    }
}
