using Onward.Contracts.Deployments;

namespace Onward.Core.Deployments;

/// <summary>
/// A state change to make only if the deployment is still in <see cref="From"/>; it is recorded as an event. Fields
/// left null keep their value.
/// </summary>
public sealed record Transition(
    DeploymentState From,
    DeploymentState To,
    string Actor,
    string Message)
{
    public string? Reason { get; init; }

    public string? Diagnosis { get; init; }

    public DateTimeOffset? VerifyDeadline { get; init; }

    public long? PreviousDeploymentId { get; init; }

    public RestoreState? RestoreState { get; init; }

    /// <summary>
    /// What a queued deployment waits for. Left null, it is kept while the state stays the same and cleared on any
    /// change of state.
    /// </summary>
    public string? Waiting { get; init; }

    public DateTimeOffset? WaitingUntil { get; init; }

    /// <summary>For <c>Queued → Applying</c>: only if no other deployment of the same service and environment holds it.</summary>
    public bool RequireEnvironmentFree { get; init; }
}
