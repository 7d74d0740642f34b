namespace Onward.Contracts.Deployments;

/// <param name="Trigger"><c>auto</c>, <c>promotion</c> or <c>manual</c>.</param>
/// <param name="Events">The append-only log, oldest first; empty in lists, filled for one deployment.</param>
/// <param name="Restore">After a failure with <c>onFailure: restore</c>: <c>pending</c>, <c>verifying</c>, <c>done</c> or <c>failed</c>.</param>
/// <param name="Waiting">While queued or awaiting approval: what it waits for (a freeze, approvals), in words.</param>
/// <param name="WaitingUntil">When that wait ends: the freeze's end, or when the approval request expires.</param>
/// <param name="Drift">For the environment's current deployment: how the live objects differ from what it applied.</param>
/// <param name="Progress">While verifying: what the target last answered (a health URL's status and first words, a rollout's condition).</param>
/// <param name="VerifyDeadline">While applying or verifying: when verification gives up.</param>
/// <param name="Canary">For a release that went out as a canary: its steps, weight and analyses.</param>
/// <param name="PreviousDeploymentId">The deployment that was current in the environment when this one began applying: the one it replaces.</param>
public sealed record DeploymentResponse(
    long Id,
    string Service,
    string Environment,
    DeploymentReleaseResponse Release,
    DeploymentState State,
    string? Reason,
    string RequestedBy,
    string Trigger,
    string? Override,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<DeploymentEventResponse> Events,
    IReadOnlyList<ApprovalResponse> Approvals,
    string? Diagnosis,
    string? Restore,
    string? Waiting,
    DateTimeOffset? WaitingUntil,
    Drift.DriftResponse? Drift = null,
    string? Progress = null,
    DateTimeOffset? VerifyDeadline = null,
    long? PreviousDeploymentId = null,
    CanaryResponse? Canary = null);
