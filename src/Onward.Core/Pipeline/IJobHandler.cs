namespace Onward.Core.Pipeline;

/// <summary>What runs the steps of one kind of job (builds, deployments, webhook deliveries), for <see cref="JobSteps"/>.</summary>
public interface IJobHandler
{
    JobKind Kind { get; }

    /// <summary>The subject's next step: done, failed, or "look again" after a while (rule 10 of docs/ARCHITECTURE.md).</summary>
    Task<StepResult> StepAsync(long subject, CancellationToken cancellationToken);

    /// <summary>Ends the subject because its job was given up (a permanent failure, or too many attempts).</summary>
    Task AbandonAsync(long subject, string reason, CancellationToken cancellationToken);

    /// <summary>Records an attempt that failed and is tried again, where a person looks (a build log, a deployment's timeline).</summary>
    Task NoteAttemptAsync(long subject, string note, CancellationToken cancellationToken) => Task.CompletedTask;
}
