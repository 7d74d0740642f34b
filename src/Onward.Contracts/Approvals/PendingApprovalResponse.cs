using Onward.Contracts.Deployments;

namespace Onward.Contracts.Approvals;

/// <summary>A deployment waiting for decisions: how many it needs, from whom, what it has, and when it expires.</summary>
public sealed record PendingApprovalResponse(
    DeploymentResponse Deployment,
    int Required,
    IReadOnlyList<string> Approvers,
    bool AllowSelfApproval,
    IReadOnlyList<ApprovalResponse> Approvals,
    DateTimeOffset ExpiresAt);
