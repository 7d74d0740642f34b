namespace Onward.Core.Audit;

/// <summary>
/// One entry of the append-only audit log: a deployment's event (<see cref="DeploymentId"/> set, <see cref="Action"/>
/// its state) or an environment- or token-level action (<c>freeze.set</c>, <c>freeze.lifted</c>, <c>token.created</c>,
/// <c>token.revoked</c>).
/// </summary>
public sealed record AuditEntry(
    DateTimeOffset At,
    string Actor,
    string Action,
    string? Service,
    string? Environment,
    long? DeploymentId,
    string Message)
{
    /// <summary>Where this entry stands in the trail, for asking for the entries after it (<see cref="AuditQuery.Before"/>).</summary>
    public string Cursor { get; init; } = "";
}
