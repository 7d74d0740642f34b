using Onward.Contracts.Deployments;

namespace Onward.Core.Deployments;

/// <summary>One release going to one environment.</summary>
/// <param name="PreviousDeploymentId">The environment's current deployment when this one started applying: what a failure falls back to.</param>
/// <param name="VerifyDeadline">When verification gives up; set when applying starts.</param>
public sealed record Deployment(
    long Id,
    string Service,
    string Environment,
    long ReleaseId,
    string Version,
    string Commit,
    DeploymentState State,
    string? Reason,
    string RequestedBy,
    DeploymentTrigger Trigger,
    string? Override,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long? PreviousDeploymentId,
    DateTimeOffset? VerifyDeadline,
    string? Diagnosis)
{
    /// <summary>After a failure with <c>onFailure: restore</c>: how bringing back the previous release stands (<see cref="RestoreStates"/>).</summary>
    public RestoreState? RestoreState { get; init; }

    /// <summary>While queued or awaiting approval: what the deployment waits for (a freeze, approvals), in words.</summary>
    public string? Waiting { get; init; }

    /// <summary>When the wait ends: the freeze's end, or when an approval request expires.</summary>
    public DateTimeOffset? WaitingUntil { get; init; }

    /// <summary>When it started to apply; null until then.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>While verifying: what the target last answered (a health URL's status, a rollout's condition); null otherwise.</summary>
    public string? Progress { get; init; }
}
