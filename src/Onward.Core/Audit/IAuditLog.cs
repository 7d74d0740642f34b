namespace Onward.Core.Audit;

/// <summary>Reads the whole audit trail, newest first. Entries are written by the stores in the transaction of the change they record.</summary>
public interface IAuditLog
{
    Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken);
}
