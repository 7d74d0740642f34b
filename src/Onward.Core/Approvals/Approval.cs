namespace Onward.Core.Approvals;

/// <summary>A person's decision on a deployment that waits for approval.</summary>
public sealed record Approval(long DeploymentId, string By, ApprovalDecision Decision, string? Comment, DateTimeOffset At);
