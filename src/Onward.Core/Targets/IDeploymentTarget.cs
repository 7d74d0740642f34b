using Onward.Core.Drift;
using Onward.Core.Pipeline;

namespace Onward.Core.Targets;

/// <summary>
/// Where releases run. Every method is idempotent, because a crashed server's deployment is resumed by calling them
/// again (rule 10 of docs/ARCHITECTURE.md).
/// </summary>
public interface IDeploymentTarget
{
    /// <summary>The kind of target this serves.</summary>
    TargetKind Kind { get; }

    /// <summary>Puts the new release in place, next to the current one where the target allows.</summary>
    Task<StepResult> ApplyAsync(TargetContext context, CancellationToken cancellationToken);

    /// <summary>Whether the new release really runs; <c>Failed</c> carries a diagnosis a person can act on.</summary>
    Task<StepResult> VerifyAsync(TargetContext context, CancellationToken cancellationToken);

    /// <summary>
    /// After a verified release: it takes the traffic and the previous release is retired (on a cluster: what the
    /// previous release applied and this one no longer has is pruned).
    /// </summary>
    /// <returns>What was done worth a line each in the deployment's timeline.</returns>
    Task<IReadOnlyList<string>> PromoteAsync(TargetContext context, CancellationToken cancellationToken);

    /// <summary>After a failure with <c>onFailure: restore</c>: the failed release goes, the previous one runs.</summary>
    Task<string> RestoreAsync(TargetContext context, CancellationToken cancellationToken);

    /// <summary>After <see cref="RestoreAsync"/>: whether the previous release really runs again.</summary>
    Task<StepResult> VerifyRestoreAsync(TargetContext context, CancellationToken cancellationToken);

    /// <summary>At server start, for each environment's current deployment: take it over again, or bring it back.</summary>
    Task<string?> AdoptAsync(TargetContext context, CancellationToken cancellationToken);

    /// <summary>
    /// At server start, after adoption: stops whatever this target still runs for a deployment not in
    /// <paramref name="keep"/> (the current and the in-progress ones), such as a retired release a crash left running.
    /// </summary>
    /// <returns>Each deployment whose leftover was stopped, with what was done.</returns>
    Task<IReadOnlyList<(long DeploymentId, string Note)>> StopLeftoversAsync(IReadOnlySet<long> keep, CancellationToken cancellationToken);

    /// <summary>
    /// How what runs in the environment differs from what its current deployment (<c>context.Deployment</c>) put
    /// there; empty when it matches, null when the target cannot tell (now or ever).
    /// </summary>
    Task<IReadOnlyList<DriftDifference>?> DriftAsync(TargetContext context, CancellationToken cancellationToken);

    /// <summary>Puts the current deployment's release in place again, as it was applied, after drift.</summary>
    /// <returns>What was done, for the timeline.</returns>
    Task<string> HealAsync(TargetContext context, CancellationToken cancellationToken);
}
