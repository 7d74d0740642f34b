using Dapper;
using Onward.Contracts.Deployments;
using Onward.Storage.Database;

namespace Onward.Storage.Insight;

/// <summary>Totals read from the database when <c>/metrics</c> is scraped: the same on every replica.</summary>
public sealed class InsightQueries(OnwardDatabase database)
{
    // Classes with setters rather than positional records: SQLite gives an empty result's computed columns no type,
    // and Dapper then finds no constructor to match.
    public sealed class DeploymentTotal
    {
        public string Service { get; init; } = "";

        public string Environment { get; init; } = "";

        public string Trigger { get; init; } = "";

        public string State { get; init; } = "";

        public long Count { get; init; }
    }

    public sealed class JobTotal
    {
        public string Kind { get; init; } = "";

        public string State { get; init; } = "";

        public long Count { get; init; }

        public long? OldestDueAt { get; init; }
    }

    public sealed class LeaseHolder
    {
        public string Name { get; init; } = "";

        public string Owner { get; init; } = "";

        public long UntilAt { get; init; }
    }

    public async Task<IReadOnlyList<DeploymentTotal>> DeploymentTotalsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<DeploymentTotal>(new CommandDefinition($"""
            SELECT service AS Service, environment AS Environment, trigger_kind AS Trigger, state AS State, COUNT(*) AS Count
            FROM deployments WHERE state IN ({SqlNames.In(DeploymentStates.Terminal)})
            GROUP BY service, environment, trigger_kind, state
            """, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Jobs by kind: due now and not leased, leased (running), due later.</summary>
    public async Task<IReadOnlyList<JobTotal>> JobTotalsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<JobTotal>(new CommandDefinition("""
            SELECT kind AS Kind, state AS State, COUNT(*) AS Count, MIN(due_at) AS OldestDueAt FROM (
                SELECT kind, due_at, CASE WHEN lease_until IS NOT NULL AND lease_until >= @now THEN 'leased'
                                          WHEN due_at <= @now THEN 'due' ELSE 'later' END AS state
                FROM jobs) j
            GROUP BY kind, state
            """, new { now = UnixTime.From(now) }, cancellationToken: cancellationToken))).ToList();
    }

    public async Task<IReadOnlyList<LeaseHolder>> LeasesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<LeaseHolder>(new CommandDefinition(
            "SELECT name AS Name, owner AS Owner, until_at AS UntilAt FROM leases", cancellationToken: cancellationToken))).ToList();
    }
}
