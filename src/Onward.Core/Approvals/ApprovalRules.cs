using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Deployments;

namespace Onward.Core.Approvals;

/// <summary>Rule 7 of docs/ARCHITECTURE.md: who may decide on what waits for approval, deployments and flag changes alike.</summary>
public static class ApprovalRules
{
    /// <returns>Null when <paramref name="who"/> may decide, else why not.</returns>
    /// <param name="decision">A requester may always reject (withdraw) their own request; approving it is what needs someone else.</param>
    public static string? WhyNot(ApprovalPolicy policy, ApprovalSubject subject, Identity who, ApprovalDecision decision)
    {
        if (!who.MayOn(Role.Approver, subject.Service, subject.Environment))
        {
            return who.Teams.Any(t => t.Role >= Role.Approver)
                ? who.WhyNotOn(Role.Approver, subject.Service ?? "(flags)", subject.Environment)
                : $"{who.Name} has the role {who.Role.ToString().ToLowerInvariant()}; deciding on {subject.Kind} needs approver";
        }
        if (!policy.Approvers.Any(who.IsIn))
        {
            return $"{who.Name} is not in an approver group of {subject.Environment} ({string.Join(", ", policy.Approvers)}); a token's groups are set with `onward tokens create --group`";
        }
        if (!policy.AllowSelfApproval && decision == ApprovalDecision.Approved && who.Name == subject.RequestedBy)
        {
            return $"{who.Name} requested {subject.Itself} and cannot approve it; {subject.Environment} needs someone else (allowSelfApproval is false)";
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
