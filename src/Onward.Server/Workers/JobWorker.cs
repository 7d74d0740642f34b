using Onward.Core.Configuration;
using Onward.Core.Pipeline;
using Onward.Server.Hosting;

namespace Onward.Server.Workers;

/// <summary>
/// Claims due jobs with a lease and runs their next step (<see cref="JobSteps"/>), up to <c>server.workers</c> at once,
/// keeping each lease while its step runs. A <c>Pending</c> step goes back into the queue with its recheck time, so no
/// thread ever waits on a build or a rollout, and another server sharing the database can carry on what this one started.
/// </summary>
public sealed class JobWorker(
    IJobQueue queue,
    JobSteps steps,
    OnwardConfig config,
    ServerIdentity identity,
    ReplicaLeases replicas,
    TimeProvider time,
    ILogger<JobWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan IdleLook = TimeSpan.FromSeconds(1);
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
            await steps.RunAsync(job, _owner, stoppingToken);
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
}
