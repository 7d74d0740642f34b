using Onward.Core.Deployments;

namespace Onward.Core.Approvals;

/// <summary>The answer to a decision: the deployment as it is now, or why nothing was recorded.</summary>
public sealed record ApprovalAnswer(ApprovalError Error, string Detail, Deployment? Deployment);
