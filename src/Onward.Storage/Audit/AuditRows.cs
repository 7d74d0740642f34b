using System.Data.Common;
using Dapper;
using Onward.Storage.Database;

namespace Onward.Storage.Audit;

/// <summary>Writes audit entries inside the transaction of the change they record, so that one never exists without the other.</summary>
internal static class AuditRows
{
    public static Task InsertAsync(
        DbConnection connection, DbTransaction transaction, DateTimeOffset at, string actor, string action, string? environment, string message,
        CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO audit_events (at, actor, action, environment, message) VALUES (@at, @actor, @action, @environment, @message)",
            new { at = UnixTime.From(at), actor, action, environment, message }, transaction, cancellationToken: cancellationToken));
}
