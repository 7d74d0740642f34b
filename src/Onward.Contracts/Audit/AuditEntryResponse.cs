namespace Onward.Contracts.Audit;

/// <param name="Action"><c>deployment.&lt;state&gt;</c> for a deployment's events (<c>deployment.awaitingApproval</c>,
/// <c>deployment.queued</c>, …), else <c>freeze.set</c>, <c>freeze.lifted</c>, <c>token.created</c>, <c>token.revoked</c>.</param>
public sealed record AuditEntryResponse(
    DateTimeOffset At,
    string Actor,
    string Action,
    string? Service,
    string? Environment,
    long? DeploymentId,
    string Message);
