using Onward.Core.Builds;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;
using Onward.Core.Webhooks;
using Onward.Server.Hosting;

namespace Onward.Server.Workers;

/// <summary>
/// Claims due jobs with a lease and runs their next step, up to <c>server.workers</c> at once. A <c>Pending</c> step
/// goes back into the queue with its recheck time, so no thread ever waits on a build or a rollout, and another
/// server sharing the database can carry on what this one started.
/// </summary>
public sealed class JobWorker(
    IJobQueue queue,
    BuildRunner builds,
    DeploymentRunner deployments,
    DeliveryProcessor deliveries,
    OnwardConfig config,
    ServerIdentity identity,
    ReplicaLeases replicas,
    TimeProvider time,
    ILogger<JobWorker> logger) : BackgroundService
{
    private const int GiveUpAfterErrors = 8;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan IdleLook = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ShortRecheck = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan HoldAtMost = TimeSpan.FromSeconds(1);
    private readonly string _owner = identity.Name;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        queue.JobAdded += Wake;
        var reclaimed = await queue.ReclaimAsync(_owner, time.GetUtcNow(), stoppingToken);
        if (reclaimed > 0)
        {
            logger.LogInformation("Took back {Count} job(s) this server was running when it stopped ({Owner})", reclaimed, _owner);
        }
        var slots = new SemaphoreSlim(config.Server.Workers, config.Server.Workers);
        var running = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken);
                var wake = Volatile.Read(ref _wake);
                IReadOnlyList<Job> jobs;
                try
                {
                    jobs = await queue.ClaimAsync(_owner, time.GetUtcNow(), Lease, slots.CurrentCount + 1, replicas.SkipEnvironments, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    slots.Release();
                    logger.LogWarning("Claiming jobs failed ({Reason}); trying again in 1 s", e.Message);
                    await Task.Delay(IdleLook, stoppingToken);
                    continue;
                }
                if (jobs.Count == 0)
                {
                    slots.Release();
                    await WaitForWorkAsync(wake, stoppingToken);
                    continue;
                }
                for (var i = 0; i < jobs.Count; i++)
                {
                    if (i > 0)
                    {
                        await slots.WaitAsync(stoppingToken);
                    }
                    var job = jobs[i];
                    running.Add(Task.Run(async () =>
                    {
                        try
                        {
                            await RunAsync(job, stoppingToken);
                        }
                        finally
                        {
                            slots.Release();
                        }
                    }, CancellationToken.None));
                }
                running.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            queue.JobAdded -= Wake;
            await Task.WhenAll(running);
        }
    }

    private async Task<StepResult> StepAsync(Job job, CancellationToken stoppingToken) => job.Kind switch
    {
        JobKind.Build => await builds.StepAsync(job.Subject, stoppingToken),
        JobKind.Deploy => await deployments.StepAsync(job.Subject, stoppingToken),
        JobKind.Delivery => await deliveries.StepAsync(job.Subject, stoppingToken),
        _ => StepResult.Done(),
    };

    private void Wake() => Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private async Task WaitForWorkAsync(TaskCompletionSource wake, CancellationToken stoppingToken)
    {
        DateTimeOffset? next;
        try
        {
            next = await queue.NextDueAsync(replicas.SkipEnvironments, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The database did not answer (a lost connection, a failover): look again in a second, as when idle.
            // Letting it through would end this worker, and with it every build and deployment of this server.
            logger.LogWarning("Looking for the next due job failed ({Reason}); looking again in 1 s", e.Message);
            next = null;
        }
        var delay = next is null ? IdleLook : next.Value - time.GetUtcNow();
        if (delay <= TimeSpan.Zero)
        {
            // Due now but leased elsewhere or just released: look again shortly rather than spin.
            delay = TimeSpan.FromMilliseconds(5);
        }
        delay = delay < IdleLook ? delay : IdleLook;
        await Task.WhenAny(wake.Task, Task.Delay(delay, time, stoppingToken));
    }

    private async Task RunAsync(Job job, CancellationToken stoppingToken)
    {
        // A step that takes long (a clone of a big repository, a slow API server) keeps its lease, so that no other
        // worker starts the same step meanwhile.
        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewing = Task.Run(() => RenewAsync(job, renewal.Token), CancellationToken.None);
        try
        {
            await StepJobAsync(job, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // Even recording the failure failed (the database went away meanwhile): the job keeps its lease until it
            // runs out, and then this server or another one takes it up again.
            logger.LogWarning("{Kind} job for {Subject}: its outcome could not be recorded ({Reason}); it runs again once its lease runs out",
                job.Kind, job.Subject, e.Message);
        }
        finally
        {
            await renewal.CancelAsync();
            await renewing;
        }
    }

    private async Task RenewAsync(Job job, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Lease / 3, time, cancellationToken);
                if (!await queue.ExtendAsync(job, _owner, time.GetUtcNow() + Lease, cancellationToken))
                {
                    logger.LogWarning("{Kind} job for {Subject} lost its lease while running", job.Kind, job.Subject);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Keeping the lease of {Kind} job {Subject} failed", job.Kind, job.Subject);
        }
    }

    private async Task StepJobAsync(Job job, CancellationToken stoppingToken)
    {
        try
        {
            var held = TimeSpan.Zero;
            var result = await StepAsync(job, stoppingToken);
            // A step that asks to be looked at again within moments (a process about to listen, a build about to
            // end) runs again here while this server still holds the lease, sparing two writes per look. Anything
            // longer goes back to the queue, where any server can take it.
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
                await queue.RescheduleAsync(job, _owner, now, now + pending.RecheckAfter, afterError: false, CancellationToken.None);
            }
            else
            {
                await queue.CompleteAsync(job, _owner, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the lease runs out and this server or another one picks the job up again.
        }
        catch (Exception e)
        {
            // A failure that a retry cannot change ends the job at once; any other is tried again with backoff, each
            // attempt in the timeline, and its stack trace is logged only when the job is given up.
            var permanent = Failures.IsPermanent(e);
            if (permanent || job.Attempts >= GiveUpAfterErrors)
            {
                if (permanent)
                {
                    logger.LogWarning("{Kind} job for {Subject} failed for good: {Error}", job.Kind, job.Subject, e.Message);
                }
                else
                {
                    logger.LogError(e, "{Kind} job for {Subject} failed (attempt {Attempt}); giving up", job.Kind, job.Subject, job.Attempts);
                }
                var reason = permanent ? e.Message : $"gave up after {job.Attempts} attempts; last error: {e.Message}";
                await EndAsync(job, reason);
                await queue.CompleteAsync(job, _owner, CancellationToken.None);
                return;
            }
            var backoff = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, job.Attempts)));
            logger.LogWarning("{Kind} job for {Subject} failed (attempt {Attempt}), trying again in {Backoff}: {Error}",
                job.Kind, job.Subject, job.Attempts, DurationText.Format(backoff), e.Message);
            await NoteAsync(job, $"attempt {job.Attempts} failed: {e.Message}; trying again in {DurationText.Format(backoff)}");
            var now = time.GetUtcNow();
            await queue.RescheduleAsync(job, _owner, now, now + backoff, afterError: true, CancellationToken.None);
        }
    }

    private async Task EndAsync(Job job, string reason)
    {
        switch (job.Kind)
        {
            case JobKind.Build:
                await builds.AbandonAsync(job.Subject, reason, CancellationToken.None);
                break;
            case JobKind.Deploy:
                await deployments.AbandonAsync(job.Subject, reason, CancellationToken.None);
                break;
            case JobKind.Delivery:
                await deliveries.AbandonAsync(job.Subject, reason, CancellationToken.None);
                break;
        }
    }

    /// <summary>An attempt that failed, in the release's build log or the deployment's timeline; never a reason to fail the retry itself.</summary>
    private async Task NoteAsync(Job job, string note)
    {
        try
        {
            switch (job.Kind)
            {
                case JobKind.Build:
                    await builds.NoteAttemptAsync(job.Subject, note, CancellationToken.None);
                    break;
                case JobKind.Deploy:
                    await deployments.NoteAttemptAsync(job.Subject, note, CancellationToken.None);
                    break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Recording a failed attempt of {Kind} job {Subject} failed too: {Error}", job.Kind, job.Subject, e.Message);
        }
    }
}
