using Onward.Contracts.Deployments;
using Onward.Core.Approvals;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;

namespace Onward.Testing.Fakes;

/// <summary>
/// Decisions in memory, ending the wait as the stores do: one decision per person, queued (and its job made due) once
/// enough approvals are in, rejected on a rejection; the decision and the deployment's change are one step.
/// </summary>
public sealed class FakeApprovalStore(FakeDeploymentStore deployments) : IApprovalStore
{
    private readonly List<Approval> _approvals = [];
    private readonly FakeDatabase _database = deployments.Database;

    public Task<DecisionOutcome> DecideAsync(Approval approval, int required, DecisionWording wording, CancellationToken cancellationToken)
    {
        lock (_database.Gate)
        {
            var deployment = deployments.All.First(d => d.Id == approval.DeploymentId);
            var count = _approvals.Count(a => a.DeploymentId == approval.DeploymentId && a.Decision == ApprovalDecision.Approved);
            if (deployment.State != DeploymentState.AwaitingApproval)
            {
                return Task.FromResult(new DecisionOutcome(DecisionResult.NotAwaiting, deployment.State, count));
            }
            if (_approvals.Any(a => a.DeploymentId == approval.DeploymentId && a.By == approval.By))
            {
                return Task.FromResult(new DecisionOutcome(DecisionResult.AlreadyDecided, deployment.State, count));
            }
            _approvals.Add(approval);
            count += approval.Decision == ApprovalDecision.Approved ? 1 : 0;
            var message = wording.Event(count);
            var (result, next) = approval.Decision == ApprovalDecision.Rejected ? (DecisionResult.Rejected, DeploymentState.Rejected)
                : count >= required ? (DecisionResult.Completed, DeploymentState.Queued)
                : (DecisionResult.Recorded, DeploymentState.AwaitingApproval);
            deployments.Apply(approval.DeploymentId, new Transition(DeploymentState.AwaitingApproval, next, approval.By, message)
            {
                Reason = next == DeploymentState.Rejected ? message : null,
                Waiting = next == DeploymentState.AwaitingApproval ? wording.StillWaiting(count) : null,
            }, approval.At);
            // Queued or rejected, the deployment's step has something to do (run, or end its wait).
            if (next != DeploymentState.AwaitingApproval)
            {
                _database.Jobs.MakeDue(JobKind.Deploy, approval.DeploymentId, approval.At);
            }
            return Task.FromResult(new DecisionOutcome(result, next, count));
        }
    }

    public Task<IReadOnlyList<Approval>> ListAsync(long deploymentId, CancellationToken cancellationToken)
    {
        lock (_database.Gate)
        {
            return Task.FromResult<IReadOnlyList<Approval>>(_approvals.Where(a => a.DeploymentId == deploymentId).ToList());
        }
    }
}
