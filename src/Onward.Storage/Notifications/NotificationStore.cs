using Onward.Contracts.Notifications;
using Dapper;
using Onward.Core.Notifications;
using Onward.Storage.Database;

namespace Onward.Storage.Notifications;

public sealed class NotificationStore(OnwardDatabase database) : INotificationStore
{
    /// <summary>How long after its event a delivery is still tried: a day.</summary>
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromDays(1);

    private const string Columns = """
        n.id AS Id, n.sink AS Sink, n.state AS State, n.attempts AS Attempts, n.created_at AS CreatedAt, n.next_at AS NextAt, n.sent_at AS SentAt,
        n.last_status AS LastStatus, n.last_error AS LastError,
        e.id AS EventId, e.kind AS Kind, e.service AS Service, e.environment AS Environment, e.version AS Version, e.commit_sha AS CommitSha,
        e.deployment_id AS DeploymentId, e.release_id AS ReleaseId, e.actor AS Actor, e.message AS Message, e.at AS At
        """;

    private const string From = "FROM notification_deliveries n JOIN notification_events e ON e.id = n.event_id";

    private const int FanOutAtOnce = 200;

    public async Task<int> FanOutAsync(Func<NotificationEvent, IEnumerable<string>> sinks, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Looking is a read; the write (and, with SQLite, the one writer connection) only when there is something to do.
        if (!await database.AnyAsync("SELECT 1 FROM notification_events WHERE fanned_out = 0 LIMIT 1", null, cancellationToken))
        {
            return 0;
        }
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var events = (await write.Connection.QueryAsync<EventRow>(new CommandDefinition($"""
            SELECT id AS EventId, kind AS Kind, service AS Service, environment AS Environment, version AS Version, commit_sha AS CommitSha,
                   deployment_id AS DeploymentId, release_id AS ReleaseId, actor AS Actor, message AS Message, at AS At
            FROM notification_events WHERE fanned_out = 0 ORDER BY id LIMIT {FanOutAtOnce}{database.SkipLocked}
            """, transaction: write.Transaction, cancellationToken: cancellationToken))).ToList();
        var at = UnixTime.From(now);
        foreach (var row in events)
        {
            foreach (var sink in sinks(row.ToEvent()))
            {
                await write.Connection.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO notification_deliveries (event_id, sink, state, created_at, next_at) VALUES (@EventId, @sink, @state, @at, @at)
                    ON CONFLICT (event_id, sink) DO NOTHING
                    """, new { row.EventId, sink, state = NotificationState.Pending.ToString(), at }, write.Transaction, cancellationToken: cancellationToken));
            }
            await write.Connection.ExecuteAsync(new CommandDefinition(
                "UPDATE notification_events SET fanned_out = 1 WHERE id = @EventId", new { row.EventId }, write.Transaction, cancellationToken: cancellationToken));
        }
        await write.CommitAsync(cancellationToken);
        return events.Count;
    }

    public async Task<IReadOnlyList<NotificationDelivery>> ClaimAsync(
        string owner, DateTimeOffset now, TimeSpan lease, int max, IReadOnlyCollection<string> busy, CancellationToken cancellationToken)
    {
        // Due, not leased, not of a busy sink, and (for a git host's sink) not behind an earlier delivery about the same
        // commit that is due later or being sent: those wait, so that the host is told things in the order they happened.
        var claimable = $"""
            FROM notification_deliveries n JOIN notification_events e ON e.id = n.event_id
            WHERE n.state = @pending AND n.next_at <= @at AND (n.lease_until IS NULL OR n.lease_until < @at) AND n.sink NOT IN ({database.JsonTexts("@busy")})
              AND NOT ({NotificationSinks.KeepsCommitOrderSql("n")} AND EXISTS (
                SELECT 1 FROM notification_deliveries o JOIN notification_events oe ON oe.id = o.event_id
                WHERE o.sink = n.sink AND o.state = @pending AND o.event_id < n.event_id AND oe.commit_sha = e.commit_sha
                  AND (o.next_at > @at OR o.lease_until >= @at)))
            """;
        var parameters = new
        {
            owner,
            until = UnixTime.From(now + lease),
            at = UnixTime.From(now),
            max,
            busy = System.Text.Json.JsonSerializer.Serialize(busy),
            pending = NotificationState.Pending.ToString(),
        };
        // Looking is a read; the write (and, with SQLite, the one writer connection) only when there is something to claim.
        if (!await database.AnyAsync($"SELECT 1 {claimable} LIMIT 1", parameters, cancellationToken))
        {
            return [];
        }
        await using var write = await database.BeginWriteAsync(cancellationToken);
        if (database.Dialect == SqlDialect.Postgres)
        {
            // Claims take turns across replicas: a claim must see what another has just leased to keep a commit's order.
            await write.Connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtext('onward-notification-claims'))",
                transaction: write.Transaction, cancellationToken: cancellationToken));
        }
        var ids = (await write.Connection.QueryAsync<long>(new CommandDefinition($"""
            UPDATE notification_deliveries SET lease_owner = @owner, lease_until = @until
            WHERE id IN (SELECT n.id {claimable} ORDER BY n.event_id, n.id LIMIT @max{database.SkipLockedOf("n")})
            RETURNING id
            """, parameters, write.Transaction, cancellationToken: cancellationToken))).ToList();
        // Read by id (the ids are the database's own numbers): this owner may hold other leases still being sent.
        var claimed = ids.Count == 0 ? [] : await QueryAsync(write, $"SELECT {Columns} {From} WHERE n.id IN ({string.Join(", ", ids.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)))}) ORDER BY e.id, n.id",
            new { }, cancellationToken);
        await write.CommitAsync(cancellationToken);
        return claimed;
    }

    public async Task PutBackAsync(long id, string owner, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE notification_deliveries SET lease_owner = NULL, lease_until = NULL WHERE id = @id AND lease_owner = @owner",
            new { id, owner }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
    }

    // A host deployment asked for and not yet answered is kept with an empty host_id.
    public async Task<HostDeployment?> HostDeploymentAsync(string sink, long deploymentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<HostDeploymentRow>(new CommandDefinition(
            "SELECT host_id AS HostId, created_at AS CreatedAt FROM host_deployments WHERE sink = @sink AND deployment_id = @deploymentId",
            new { sink, deploymentId }, cancellationToken: cancellationToken));
        return row is null ? null : new HostDeployment(row.HostId.Length == 0 ? null : row.HostId, UnixTime.To(row.CreatedAt));
    }

    public async Task AskingForHostDeploymentAsync(string sink, long deploymentId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO host_deployments (sink, deployment_id, host_id, created_at) VALUES (@sink, @deploymentId, '', @at)
            ON CONFLICT (sink, deployment_id) DO NOTHING
            """, new { sink, deploymentId, at = UnixTime.From(now) }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
    }

    public async Task RememberHostDeploymentAsync(string sink, long deploymentId, string hostId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO host_deployments (sink, deployment_id, host_id, created_at) VALUES (@sink, @deploymentId, @hostId, @at)
            ON CONFLICT (sink, deployment_id) DO UPDATE SET host_id = excluded.host_id
            """, new { sink, deploymentId, hostId, at = UnixTime.From(now) }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
    }

    public async Task<long?> DeploymentOfHostIdAsync(string hostId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT deployment_id FROM host_deployments WHERE host_id = @hostId AND host_id <> '' LIMIT 1", new { hostId },
            cancellationToken: cancellationToken));
    }

    public async Task RecordAsync(long id, string owner, SendOutcome outcome, DateTimeOffset now, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        var state = outcome.Delivered ? NotificationState.Sent : retryAt is null ? NotificationState.Failed : NotificationState.Pending;
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition("""
            UPDATE notification_deliveries SET state = @state, attempts = attempts + 1, last_status = @Status, last_error = @Error,
                sent_at = @sent, next_at = COALESCE(@retry, next_at), lease_owner = NULL, lease_until = NULL
            WHERE id = @id AND lease_owner = @owner
            """, new
        {
            id,
            owner,
            state = state.ToString(),
            outcome.Status,
            Error = outcome.Error is { Length: > 500 } error ? error[..500] : outcome.Error,
            sent = outcome.Delivered ? UnixTime.From(now) : (long?)null,
            retry = UnixTime.From(retryAt),
        }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<NotificationDelivery>> ListAsync(int limit, long? before, string? sink, NotificationState? state, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<DeliveryRow>(new CommandDefinition($"""
            SELECT {Columns} {From}
            WHERE (@before IS NULL OR n.id < @before) AND (@sink IS NULL OR n.sink = @sink) AND (@state IS NULL OR n.state = @state)
            ORDER BY n.id DESC LIMIT @limit
            """, new { limit, before, sink, state = state?.ToString() }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToDelivery()).ToList();
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var next = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MIN(next_at) FROM notification_deliveries WHERE state = @pending", new { pending = NotificationState.Pending.ToString() },
            cancellationToken: cancellationToken));
        return next is null ? null : UnixTime.To(next.Value);
    }

    private static async Task<IReadOnlyList<NotificationDelivery>> QueryAsync(WriteScope write, string sql, object parameters, CancellationToken cancellationToken) =>
        (await write.Connection.QueryAsync<DeliveryRow>(new CommandDefinition(sql, parameters, write.Transaction, cancellationToken: cancellationToken)))
            .Select(r => r.ToDelivery()).ToList();

    private sealed class HostDeploymentRow
    {
        public string HostId { get; init; } = "";

        public long CreatedAt { get; init; }
    }

    private class EventRow
    {
        public long EventId { get; init; }

        public string Kind { get; init; } = "";

        public string? Service { get; init; }

        public string? Environment { get; init; }

        public string? Version { get; init; }

        public string? CommitSha { get; init; }

        public long? DeploymentId { get; init; }

        public long? ReleaseId { get; init; }

        public string Actor { get; init; } = "";

        public string Message { get; init; } = "";

        public long At { get; init; }

        public NotificationEvent ToEvent() =>
            new(EventId, NotificationKinds.Parse(Kind), Service, Environment, Version, CommitSha, DeploymentId, ReleaseId, Actor, Message, UnixTime.To(At));
    }

    private sealed class DeliveryRow : EventRow
    {
        public long Id { get; init; }

        public string Sink { get; init; } = "";

        public string State { get; init; } = "";

        public long Attempts { get; init; }

        public long CreatedAt { get; init; }

        public long NextAt { get; init; }

        public long? SentAt { get; init; }

        public long? LastStatus { get; init; }

        public string? LastError { get; init; }

        public NotificationDelivery ToDelivery() =>
            new(Id, ToEvent(), Sink, Enum.Parse<NotificationState>(State), (int)Attempts, UnixTime.To(CreatedAt), UnixTime.To(NextAt),
                UnixTime.To(SentAt), (int?)LastStatus, LastError);
    }
}
