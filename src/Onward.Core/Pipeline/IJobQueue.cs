namespace Onward.Core.Pipeline;

/// <summary>
/// Durable jobs with leases. A claimed job belongs to its owner until the lease runs out, so a crashed server's jobs are
/// picked up by the next one.
/// </summary>
public interface IJobQueue
{
    Task<IReadOnlyList<Job>> ClaimAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken) =>
        ClaimAsync(owner, now, lease, max, [], cancellationToken);

    /// <param name="skipEnvironments">Deployments to these environments are left to another replica (the one running the local target).</param>
    Task<IReadOnlyList<Job>> ClaimAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, IReadOnlyCollection<string> skipEnvironments, CancellationToken cancellationToken);

    Task CompleteAsync(Job job, string owner, CancellationToken cancellationToken);

    /// <summary>Keeps a lease while a step takes long; false when the lease was lost (it ran out and another took the job).</summary>
    Task<bool> ExtendAsync(Job job, string owner, DateTimeOffset until, CancellationToken cancellationToken);

    /// <param name="afterError">Keeps counting attempts (a failure to retry); otherwise the count starts again.</param>
    Task RescheduleAsync(Job job, string owner, DateTimeOffset now, DateTimeOffset dueAt, bool afterError, CancellationToken cancellationToken);

    /// <summary>
    /// Makes a waiting job due now, in memory, for steps that learn of a change by notification (a watch event, a
    /// process that ended, a freeze lifted) rather than by looking again: no database write, so that a burst of events
    /// costs nothing but the step it leads to. A job being run is marked instead, and runs again as soon as its step
    /// ends. The job's record stays as it was, so that after a crash it still runs at its next look.
    /// </summary>
    void Wake(JobKind kind, long subject);

    /// <summary>
    /// Whether the job was woken while its step ran; the wake is taken, and the caller, still holding the lease, runs
    /// the step again at once instead of giving the job back.
    /// </summary>
    bool TakeWake(Job job);

    /// <summary>
    /// Releases every lease <paramref name="owner"/> holds and makes those jobs due now: a server started again after a
    /// crash takes back what it was running, instead of waiting for its own leases to run out.
    /// </summary>
    /// <returns>How many jobs were taken back.</returns>
    Task<int> ReclaimAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>When the next unleased job is due, or null when there is none.</summary>
    Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => NextDueAsync([], cancellationToken);

    /// <summary>When the next unleased job is due, leaving out deployments to <paramref name="skipEnvironments"/>.</summary>
    Task<DateTimeOffset?> NextDueAsync(IReadOnlyCollection<string> skipEnvironments, CancellationToken cancellationToken);

    /// <summary>Raised in this process whenever a job is added or rescheduled here, so idle workers wake at once.</summary>
    event Action? JobAdded;
}
