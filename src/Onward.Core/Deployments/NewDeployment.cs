using Onward.Contracts.Deployments;

namespace Onward.Core.Deployments;

/// <summary>
/// A deployment to record. <see cref="State"/> is <c>Queued</c> for work to do, <c>AwaitingApproval</c> when the
/// environment wants approval first, or <c>Blocked</c> when a policy refused it at request time (<see cref="Reason"/>
/// says why).
/// </summary>
public sealed record NewDeployment(
    string Service,
    string Environment,
    long ReleaseId,
    DeploymentState State,
    string? Reason,
    string RequestedBy,
    DeploymentTrigger Trigger,
    string? Override)
{
    public string? Waiting { get; init; }

    public DateTimeOffset? WaitingUntil { get; init; }
}
