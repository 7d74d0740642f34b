using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Deployments;

namespace Onward.Core.Approvals;

/// <summary>rule 7 of docs/ARCHITECTURE.md: who may decide on a deployment that waits for approval.</summary>
public static class ApprovalRules
{
    /// <returns>Null when <paramref name="who"/> may decide, else why not.</returns>
    /// <param name="decision">A requester may always reject (withdraw) their own request; approving it is what needs someone else.</param>
    public static string? WhyNot(ApprovalPolicy policy, Deployment deployment, Identity who, ApprovalDecision decision = ApprovalDecision.Approved)
    {
        if (who.Role < Role.Approver)
        {
            return $"{who.Name} has the role {who.Role.ToString().ToLowerInvariant()}; deciding on deployments needs approver";
        }
        if (!policy.Approvers.Any(who.IsIn))
        {
            return $"{who.Name} is not in an approver group of {deployment.Environment} ({string.Join(", ", policy.Approvers)}); a token's groups are set with `onward tokens create --group`";
        }
        if (!policy.AllowSelfApproval && decision == ApprovalDecision.Approved && who.Name == deployment.RequestedBy)
        {
            return $"{who.Name} requested deployment {deployment.Id} and cannot approve it; {deployment.Environment} needs someone else (allowSelfApproval is false)";
        }
        return null;
    }

    /// <summary>Whether a new deployment to the environment must wait for approval.</summary>
    public static bool Applies(ApprovalPolicy? policy, DeploymentTrigger trigger) =>
        policy is not null && (trigger == DeploymentTrigger.Manual || policy.IncludeAutoPromotions);

    /// <summary>When a request for approval that nobody completed is cancelled.</summary>
    public static DateTimeOffset ExpiresAt(ApprovalPolicy policy, Deployment deployment) => deployment.CreatedAt + policy.Expiry;

    public static string Expired(ApprovalPolicy policy) =>
        $"approval expired: {Describe(policy)} were not given within {DurationText.Format(policy.Expiry)}";

    public static string Describe(ApprovalPolicy policy) =>
        $"{policy.Required} approval{(policy.Required == 1 ? "" : "s")} from {string.Join(" or ", policy.Approvers)}";
}
