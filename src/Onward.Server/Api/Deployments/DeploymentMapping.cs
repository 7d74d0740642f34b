using Onward.Contracts.Deployments;
using Onward.Core.Approvals;
using Onward.Core.Deployments;

namespace Onward.Server.Api.Deployments;

public static class DeploymentMapping
{
    public static DeploymentResponse ToResponse(
        this Deployment deployment, IReadOnlyList<DeploymentEvent>? events = null, IReadOnlyList<Approval>? approvals = null) => new(
        deployment.Id,
        deployment.Service,
        deployment.Environment,
        new DeploymentReleaseResponse(deployment.ReleaseId, deployment.Version, deployment.Commit),
        deployment.State,
        deployment.Reason,
        deployment.RequestedBy,
        deployment.Trigger.ToString().ToLowerInvariant(),
        deployment.Override,
        deployment.CreatedAt,
        deployment.UpdatedAt,
        (events ?? []).Select(e => new DeploymentEventResponse(e.At, e.State, e.Actor, e.Message)).ToList(),
        (approvals ?? []).Select(a => a.ToResponse()).ToList(),
        deployment.Diagnosis,
        deployment.RestoreState?.Name(),
        deployment.Waiting,
        deployment.WaitingUntil,
        Progress: deployment.Progress,
        VerifyDeadline: deployment.State is DeploymentState.Applying or DeploymentState.Verifying ? deployment.VerifyDeadline : null,
        PreviousDeploymentId: deployment.PreviousDeploymentId);

    public static ApprovalResponse ToResponse(this Approval approval) =>
        new(approval.By, approval.Decision.ToString().ToLowerInvariant(), approval.Comment, approval.At);
}
