using Onward.Contracts.Deployments;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;

namespace Onward.Core.Approvals;

/// <summary>Approving and rejecting deployments that wait for approval.</summary>
public sealed class DeploymentApprovals(ConfigSource configuration, IDeploymentStore deployments, IApprovalStore store, TimeProvider time)
{
    private OnwardConfig config => configuration.Current;

    public async Task<ApprovalAnswer> DecideAsync(long id, Identity who, ApprovalDecision decision, string? comment, CancellationToken cancellationToken)
    {
        if (await deployments.GetAsync(id, cancellationToken) is not { } deployment)
        {
            return new ApprovalAnswer(ApprovalError.NotFound, $"there is no deployment {id}; `onward approvals list` shows what waits for a decision", null);
        }
        if (deployment.State != DeploymentState.AwaitingApproval)
        {
            return NotAwaiting(deployment);
        }
        var policy = config.FindEnvironment(deployment.Environment)?.Policy.Approval;
        if (policy is null)
        {
            return new ApprovalAnswer(ApprovalError.Conflict, $"{deployment.Environment} no longer requires approval; deployment {id} will go ahead on its own", deployment);
        }
        if (ApprovalRules.WhyNot(policy, ApprovalSubject.Of(deployment), who, decision) is { } whyNot)
        {
            return new ApprovalAnswer(ApprovalError.Forbidden, whyNot, deployment);
        }
        var now = time.GetUtcNow();
        if (now >= ApprovalRules.ExpiresAt(policy, deployment))
        {
            // The runner cancels expired requests at its next look; a decision arriving before that is too late all the same.
            if (!await ExpireAsync(deployment, policy, cancellationToken))
            {
                return NotAwaiting((await deployments.GetAsync(id, cancellationToken))!);
            }
            return new ApprovalAnswer(ApprovalError.Conflict, $"deployment {id} can no longer be decided on: {ApprovalRules.Expired(policy)}; request it again",
                await deployments.GetAsync(id, cancellationToken));
        }
        var verb = decision == ApprovalDecision.Approved ? "approved" : "rejected";
        var suffix = string.IsNullOrWhiteSpace(comment) ? "" : $": {comment}";
        var outcome = await store.DecideAsync(new Approval(id, who.Name, decision, comment, now), policy.Required, new DecisionWording(
            count => (decision == ApprovalDecision.Approved ? $"approved by {who.Name} ({count} of {policy.Required})" : $"rejected by {who.Name}") + suffix,
            count => ApprovalRules.Describe(policy with { Required = policy.Required - count }) + $" ({count} of {policy.Required} given)"),
            cancellationToken);
        var after = await deployments.GetAsync(id, cancellationToken);
        return outcome.Result switch
        {
            DecisionResult.NotAwaiting => NotAwaiting(after!),
            DecisionResult.AlreadyDecided => new ApprovalAnswer(ApprovalError.Conflict,
                $"{who.Name} already decided on deployment {id}; {ApprovalRules.Describe(policy)} must be distinct people", after),
            _ => new ApprovalAnswer(ApprovalError.None, $"{verb} deployment {id}", after),
        };
    }

    /// <summary>Cancels a deployment whose request for approval has expired.</summary>
    /// <returns>False when it no longer awaited approval (a decision came first).</returns>
    public Task<bool> ExpireAsync(Deployment deployment, ApprovalPolicy policy, CancellationToken cancellationToken)
    {
        var expired = ApprovalRules.Expired(policy);
        return deployments.TransitionAsync(deployment.Id, new Transition(DeploymentState.AwaitingApproval, DeploymentState.Cancelled, Actors.Onward, expired)
        {
            Reason = expired,
        }, time.GetUtcNow(), cancellationToken);
    }

    public Task<IReadOnlyList<Approval>> ListAsync(long id, CancellationToken cancellationToken) => store.ListAsync(id, cancellationToken);

    private static ApprovalAnswer NotAwaiting(Deployment deployment) =>
        new(ApprovalError.Conflict,
            $"deployment {deployment.Id} is {deployment.State}, not waiting for approval{(deployment.Reason is null || deployment.State == DeploymentState.Queued ? "" : $" ({deployment.Reason})")}",
            deployment);
}
