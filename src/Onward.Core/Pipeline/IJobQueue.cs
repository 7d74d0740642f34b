namespace Onward.Core.Pipeline;

/// <summary>
/// Durable jobs with leases. A claimed job belongs to its owner until the lease runs out, so a crashed server's jobs are
/// picked up by the next one.
/// </summary>
public interface IJobQueue
{
    Task<IReadOnlyList<Job>> ClaimAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken);

    Task CompleteAsync(Job job, string owner, CancellationToken cancellationToken);

    /// <summary>Keeps a lease while a step takes long; false when the lease was lost (it ran out and another took the job).</summary>
    Task<bool> ExtendAsync(Job job, string owner, DateTimeOffset until, CancellationToken cancellationToken);

    /// <param name="afterError">Keeps counting attempts (a failure to retry); otherwise the count starts again.</param>
    Task RescheduleAsync(Job job, string owner, DateTimeOffset now, DateTimeOffset dueAt, bool afterError, CancellationToken cancellationToken);

    /// <summary>
    /// Makes a waiting job due now, for steps that learn of a change by notification (a watch event) rather than
    /// by looking again. A job being run is marked instead, and becomes due as soon as its step reschedules it.
    /// </summary>
    Task WakeAsync(JobKind kind, long subject, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Releases every lease <paramref name="owner"/> holds and makes those jobs due now: a server started again after a
    /// crash takes back what it was running, instead of waiting for its own leases to run out.
    /// </summary>
    /// <returns>How many jobs were taken back.</returns>
    Task<int> ReclaimAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>When the next unleased job is due, or null when there is none.</summary>
    Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken);

    /// <summary>Raised in this process whenever a job is added or rescheduled here, so idle workers wake at once.</summary>
    event Action? JobAdded;
}
