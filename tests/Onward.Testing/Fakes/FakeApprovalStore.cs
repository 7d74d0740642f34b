using Onward.Contracts.Deployments;
using Onward.Core.Approvals;
using Onward.Core.Deployments;

namespace Onward.Testing.Fakes;

/// <summary>Decisions in memory, ending the wait as the SQLite store does: queued once enough approvals are in, rejected on a rejection.</summary>
public sealed class FakeApprovalStore(FakeDeploymentStore deployments) : IApprovalStore
{
    private readonly List<Approval> _approvals = [];

    public async Task<DecisionOutcome> DecideAsync(Approval approval, int required, DecisionWording wording, CancellationToken cancellationToken)
    {
        var deployment = (await deployments.GetAsync(approval.DeploymentId, cancellationToken))!;
        var count = _approvals.Count(a => a.DeploymentId == approval.DeploymentId && a.Decision == ApprovalDecision.Approved);
        if (deployment.State != DeploymentState.AwaitingApproval)
        {
            return new DecisionOutcome(DecisionResult.NotAwaiting, deployment.State, count);
        }
        if (_approvals.Any(a => a.DeploymentId == approval.DeploymentId && a.By == approval.By))
        {
            return new DecisionOutcome(DecisionResult.AlreadyDecided, deployment.State, count);
        }
        _approvals.Add(approval);
        count += approval.Decision == ApprovalDecision.Approved ? 1 : 0;
        var message = wording.Event(count);
        var (result, next) = approval.Decision == ApprovalDecision.Rejected ? (DecisionResult.Rejected, DeploymentState.Rejected)
            : count >= required ? (DecisionResult.Completed, DeploymentState.Queued)
            : (DecisionResult.Recorded, DeploymentState.AwaitingApproval);
        await deployments.TransitionAsync(approval.DeploymentId, new Transition(DeploymentState.AwaitingApproval, next, approval.By, message)
        {
            Reason = next == DeploymentState.Rejected ? message : null,
            Waiting = next == DeploymentState.AwaitingApproval ? wording.StillWaiting(count) : null,
        }, approval.At, cancellationToken);
        return new DecisionOutcome(result, next, count);
    }

    public Task<IReadOnlyList<Approval>> ListAsync(long deploymentId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Approval>>(_approvals.Where(a => a.DeploymentId == deploymentId).ToList());
}
