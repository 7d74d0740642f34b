using Microsoft.Extensions.Logging;
using Onward.Core.Configuration;

namespace Onward.Core.Pipeline;

/// <summary>
/// Runs a claimed job's step and records what became of it: a step that asks to be looked at again within moments
/// runs again while the lease is held, a longer wait goes back to the queue (where any server can take it), a step
/// that is done completes the job, and a step that threw is tried again or given up by <see cref="JobRetryPolicy"/>.
/// The host's worker claims jobs and keeps their leases; this decides everything else.
/// </summary>
public sealed class JobSteps(IJobQueue queue, IEnumerable<IJobHandler> handlers, TimeProvider time, ILogger<JobSteps> logger)
{
    /// <summary>A step asking to be looked at again within this long runs again at once, under the same lease.</summary>
    public static readonly TimeSpan ShortRecheck = TimeSpan.FromMilliseconds(25);

    /// <summary>The longest a server keeps running one job's steps before the job goes back to the queue.</summary>
    public static readonly TimeSpan HoldAtMost = TimeSpan.FromSeconds(1);

    private readonly Dictionary<JobKind, IJobHandler> _handlers = handlers.ToDictionary(h => h.Kind);

    /// <param name="owner">The lease holder: this server.</param>
    public async Task RunAsync(Job job, string owner, CancellationToken stoppingToken)
    {
        try
        {
            var held = TimeSpan.Zero;
            var result = await StepAsync(job, stoppingToken);
            // Anything longer than a moment goes back to the queue, sparing two writes per look only when it is short.
            // A job woken while its step ran (a watch event, a process that ended) runs again at once too.
            while (result is StepResult.Pending { RecheckAfter: var soon } && held < HoldAtMost && (soon <= ShortRecheck || queue.TakeWake(job)))
            {
                if (soon <= ShortRecheck)
                {
                    await Task.Delay(soon, time, stoppingToken);
                }
                // A recheck of zero still counts, so that a step answering "again at once" cannot hold the lease forever.
                held += soon > ShortRecheck / 5 ? soon : ShortRecheck / 5;
                result = await StepAsync(job, stoppingToken);
            }
            if (result is StepResult.Pending pending)
            {
                var now = time.GetUtcNow();
                await queue.RescheduleAsync(job, owner, now, now + pending.RecheckAfter, afterError: false, CancellationToken.None);
            }
            else
            {
                await queue.CompleteAsync(job, owner, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the lease runs out and this server or another one picks the job up again.
        }
        catch (Exception e)
        {
            await FailedAsync(job, owner, e);
        }
    }

    private Task<StepResult> StepAsync(Job job, CancellationToken stoppingToken) =>
        _handlers.TryGetValue(job.Kind, out var handler) ? handler.StepAsync(job.Subject, stoppingToken) : Task.FromResult(StepResult.Done());

    /// <summary>Each attempt is in the timeline; the stack trace is logged only when the job is given up.</summary>
    private async Task FailedAsync(Job job, string owner, Exception e)
    {
        switch (JobRetryPolicy.Decide(e, job.Attempts))
        {
            case JobRetry.GiveUp giveUp:
                if (giveUp.Permanent)
                {
                    logger.LogWarning("{Kind} job for {Subject} failed for good: {Error}", job.Kind, job.Subject, e.Message);
                }
                else
                {
                    logger.LogError(e, "{Kind} job for {Subject} failed (attempt {Attempt}); giving up", job.Kind, job.Subject, job.Attempts);
                }
                if (_handlers.TryGetValue(job.Kind, out var handler))
                {
                    await handler.AbandonAsync(job.Subject, giveUp.Reason, CancellationToken.None);
                }
                await queue.CompleteAsync(job, owner, CancellationToken.None);
                break;
            case JobRetry.Again again:
                logger.LogWarning("{Kind} job for {Subject} failed (attempt {Attempt}), trying again in {Backoff}: {Error}",
                    job.Kind, job.Subject, job.Attempts, DurationText.Format(again.Backoff), e.Message);
                await NoteAsync(job, $"attempt {job.Attempts} failed: {e.Message}; trying again in {DurationText.Format(again.Backoff)}");
                var now = time.GetUtcNow();
                await queue.RescheduleAsync(job, owner, now, now + again.Backoff, afterError: true, CancellationToken.None);
                break;
        }
    }

    /// <summary>An attempt that failed, where a person looks; never a reason to fail the retry itself.</summary>
    private async Task NoteAsync(Job job, string note)
    {
        try
        {
            if (_handlers.TryGetValue(job.Kind, out var handler))
            {
                await handler.NoteAttemptAsync(job.Subject, note, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Recording a failed attempt of {Kind} job {Subject} failed too: {Error}", job.Kind, job.Subject, e.Message);
        }
    }
}
