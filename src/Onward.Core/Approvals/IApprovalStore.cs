using Onward.Core.Deployments;

namespace Onward.Core.Approvals;

/// <summary>Approvals, durably.</summary>
public interface IApprovalStore
{
    /// <summary>
    /// In one transaction: records the decision if the deployment still awaits approval and this person has not decided
    /// yet, appends it to the deployment's events, and ends the wait (queued once <paramref name="required"/> approvals
    /// are in, rejected on a rejection). Two decisions racing for the last slot queue the deployment once.
    /// </summary>
    /// <param name="wording">The event's message and what the deployment still waits for, given the number of approvals including this one.</param>
    Task<DecisionOutcome> DecideAsync(Approval approval, int required, DecisionWording wording, CancellationToken cancellationToken);

    Task<IReadOnlyList<Approval>> ListAsync(long deploymentId, CancellationToken cancellationToken);
}
