using System.Text.Json;
using Dapper;
using Onward.Core.Drift;
using Onward.Storage.Database;

namespace Onward.Storage.Drift;

public sealed class DriftStore(OnwardDatabase database) : IDriftStore
{
    private const string Columns = """
        service AS Service, environment AS Environment, deployment_id AS DeploymentId, since_at AS SinceAt, checked_at AS CheckedAt,
        difference_count AS DifferenceCount, differences AS Differences
        """;

    public async Task SetAsync(string service, string environment, DriftReport? report, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        if (report is null)
        {
            await write.Connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM environment_drift WHERE service = @service AND environment = @environment",
                new { service, environment }, write.Transaction, cancellationToken: cancellationToken));
        }
        else
        {
            await write.Connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO environment_drift (service, environment, deployment_id, since_at, checked_at, difference_count, differences)
                VALUES (@service, @environment, @deploymentId, @since, @checkedAt, @count, @differences)
                ON CONFLICT (service, environment) DO UPDATE SET deployment_id = excluded.deployment_id, since_at = excluded.since_at,
                    checked_at = excluded.checked_at, difference_count = excluded.difference_count, differences = excluded.differences
                """, new
            {
                service,
                environment,
                deploymentId = report.DeploymentId,
                since = UnixTime.From(report.Since),
                checkedAt = UnixTime.From(report.CheckedAt),
                count = report.Count,
                differences = JsonSerializer.Serialize(report.Differences.Take(DriftReport.MostKept)),
            }, write.Transaction, cancellationToken: cancellationToken));
        }
        await write.CommitAsync(cancellationToken);
    }

    public async Task<DriftReport?> GetAsync(string service, string environment, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<DriftRow>(new CommandDefinition(
            $"SELECT {Columns} FROM environment_drift WHERE service = @service AND environment = @environment",
            new { service, environment }, cancellationToken: cancellationToken));
        return row?.ToReport();
    }

    public async Task<IReadOnlyDictionary<(string Service, string Environment), DriftReport>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<DriftRow>(new CommandDefinition($"SELECT {Columns} FROM environment_drift", cancellationToken: cancellationToken));
        return rows.ToDictionary(r => (r.Service, r.Environment), r => r.ToReport());
    }

    private sealed class DriftRow
    {
        public string Service { get; init; } = "";

        public string Environment { get; init; } = "";

        public long DeploymentId { get; init; }

        public long SinceAt { get; init; }

        public long CheckedAt { get; init; }

        public long DifferenceCount { get; init; }

        public string Differences { get; init; } = "[]";

        public DriftReport ToReport() => new(DeploymentId, UnixTime.To(SinceAt), UnixTime.To(CheckedAt),
            JsonSerializer.Deserialize<List<DriftDifference>>(Differences) ?? [])
        {
            Count = (int)DifferenceCount,
        };
    }
}
