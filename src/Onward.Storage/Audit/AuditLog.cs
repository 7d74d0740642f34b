using Dapper;
using Onward.Core.Audit;
using Onward.Storage.Database;

namespace Onward.Storage.Audit;

/// <summary>The audit trail: every deployment's events and the environment- and token-level entries, newest first.</summary>
public sealed class AuditLog(OnwardDatabase database) : IAuditLog
{
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        long? at = null, source = null, seq = null;
        if (query.Before is { } before)
        {
            var parts = ParseCursor(before) ?? throw new ArgumentException($"'{before}' is not an audit cursor", nameof(query));
            (at, source, seq) = parts;
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<AuditRow>(new CommandDefinition("""
            SELECT * FROM (
                SELECT e.at AS At, e.actor AS Actor, e.state AS Action, d.service AS Service, d.environment AS Environment,
                       e.deployment_id AS DeploymentId, e.message AS Message, e.id AS Seq, 0 AS Source
                FROM deployment_events e JOIN deployments d ON d.id = e.deployment_id
                WHERE (@Service IS NULL OR d.service = @Service) AND (@Environment IS NULL OR d.environment = @Environment)
                  AND (@Actor IS NULL OR e.actor = @Actor)
                UNION ALL
                SELECT a.at, a.actor, a.action, NULL, a.environment, NULL, a.message, a.id, 1
                FROM audit_events a
                WHERE @Service IS NULL AND (@Environment IS NULL OR a.environment = @Environment) AND (@Actor IS NULL OR a.actor = @Actor)
            ) AS entries
            WHERE @at IS NULL OR At < @at OR (At = @at AND (Source < @source OR (Source = @source AND Seq < @seq)))
            ORDER BY At DESC, Source DESC, Seq DESC LIMIT @Limit
            """, new { query.Service, query.Environment, query.Actor, query.Limit, at, source, seq }, cancellationToken: cancellationToken));
        return rows.Select(r => new AuditEntry(
            UnixTime.To(r.At), r.Actor, r.Source == 0 ? "deployment." + char.ToLowerInvariant(r.Action[0]) + r.Action[1..] : r.Action,
            r.Service, r.Environment, r.DeploymentId, r.Message)
        { Cursor = $"{r.At}.{r.Source}.{r.Seq}" }).ToList();
    }

    /// <summary>Reads a cursor as <see cref="AuditEntry.Cursor"/> writes it (time, source, sequence); null when it is not one.</summary>
    public static (long At, long Source, long Seq)? ParseCursor(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 3 && long.TryParse(parts[0], out var at) && long.TryParse(parts[1], out var source) && source is 0 or 1
            && long.TryParse(parts[2], out var seq)
            ? (at, source, seq)
            : null;
    }

    private sealed class AuditRow
    {
        public long At { get; init; }

        public string Actor { get; init; } = "";

        public string Action { get; init; } = "";

        public string? Service { get; init; }

        public string? Environment { get; init; }

        public long? DeploymentId { get; init; }

        public string Message { get; init; } = "";

        public long Seq { get; init; }

        public long Source { get; init; }
    }
}
