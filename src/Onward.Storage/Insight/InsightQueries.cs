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

    public sealed class EndedDeployment
    {
        public long Id { get; init; }

        public string Service { get; init; } = "";

        public string State { get; init; } = "";

        public string CommitSha { get; init; } = "";

        public long EndedAt { get; init; }
    }

    /// <summary>
    /// The environment's deployments verified or failed within [<paramref name="from"/>, <paramref name="to"/>], oldest
    /// first: a verified one ends when it was verified, a failed one when it failed (not when its restore ended).
    /// </summary>
    public async Task<IReadOnlyList<EndedDeployment>> EndedAsync(string environment, string? service, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<EndedDeployment>(new CommandDefinition($"""
            SELECT * FROM (
                SELECT d.id AS Id, d.service AS Service, d.state AS State, r.commit_sha AS CommitSha,
                       CASE WHEN d.state = {SqlNames.Of(DeploymentState.Succeeded)} THEN d.succeeded_at
                            ELSE (SELECT MIN(e.at) FROM deployment_events e WHERE e.deployment_id = d.id AND e.state = {SqlNames.Of(DeploymentState.Failed)}) END AS EndedAt
                FROM deployments d JOIN releases r ON r.id = d.release_id
                WHERE d.environment = @environment AND (@service IS NULL OR d.service = @service)
                  AND d.state IN ({SqlNames.Of(DeploymentState.Succeeded)}, {SqlNames.Of(DeploymentState.Failed)})
            ) ended
            WHERE EndedAt >= @from AND EndedAt <= @to
            ORDER BY EndedAt, Id
            """, new { environment, service, from = UnixTime.From(from), to = UnixTime.From(to) }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>The commit of the service's last deployment verified in the environment before <paramref name="before"/>; null when none was.</summary>
    public async Task<string?> VerifiedBeforeAsync(string service, string environment, DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition($"""
            SELECT r.commit_sha FROM deployments d JOIN releases r ON r.id = d.release_id
            WHERE d.service = @service AND d.environment = @environment AND d.state = {SqlNames.Of(DeploymentState.Succeeded)} AND d.succeeded_at < @before
            ORDER BY d.succeeded_at DESC, d.id DESC LIMIT 1
            """, new { service, environment, before = UnixTime.From(before) }, cancellationToken: cancellationToken));
    }
}
