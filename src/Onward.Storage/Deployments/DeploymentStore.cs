using Onward.Contracts.Notifications;
using Onward.Contracts.Deployments;
using System.Data.Common;
using Dapper;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;
using Onward.Storage.Database;
using Onward.Storage.Pipeline;
using Onward.Core.Notifications;
using Onward.Storage.Notifications;

namespace Onward.Storage.Deployments;

public sealed class DeploymentStore(OnwardDatabase database, JobQueue jobs) : IDeploymentStore
{
    private const string Columns = """
        d.id AS Id, d.service AS Service, d.environment AS Environment, d.release_id AS ReleaseId, r.version AS Version,
        r.commit_sha AS CommitSha, d.state AS State, d.reason AS Reason, d.requested_by AS RequestedBy,
        d.trigger_kind AS TriggerKind, d.override_reason AS OverrideReason, d.created_at AS CreatedAt,
        d.updated_at AS UpdatedAt, d.previous_deployment_id AS PreviousDeploymentId, d.verify_deadline AS VerifyDeadline,
        d.diagnosis AS Diagnosis, d.restore_state AS RestoreState, d.waiting AS Waiting, d.waiting_until AS WaitingUntil,
        d.started_at AS StartedAt, d.progress AS Progress
        """;

    private const string From = "FROM deployments d JOIN releases r ON r.id = d.release_id";

    private static readonly string Succeeded = SqlNames.Of(DeploymentState.Succeeded);

    public async Task<Deployment> AddAsync(NewDeployment deployment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        // Two replicas adding deployments to one environment at once would each miss the other's: a promotion made
        // twice, or two waiting deployments neither of which supersedes the other.
        await TakeEnvironmentTurnAsync(connection, transaction, deployment.Service, deployment.Environment, cancellationToken);
        var (id, _) = await DeploymentAdmission.AdmitAsync(new Admission(connection, transaction, now), deployment, cancellationToken);
        // Read in the transaction: with SQLite, the connection is other writers' once this one has committed.
        var added = (await QueryAsync(connection, $"SELECT {Columns} {From} WHERE d.id = @id", new { id }, cancellationToken, transaction))[0];
        await write.CommitAsync(cancellationToken);
        jobs.Notify();
        return added;
    }

    public Task<IAsyncDisposable> DeliveryTurnAsync(string service, CancellationToken cancellationToken) => database.LockAsync("deliver/" + service, cancellationToken);

    public async Task<Deployment?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await QueryAsync(connection, $"SELECT {Columns} {From} WHERE d.id = @id", new { id }, cancellationToken)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<Deployment>> ListAsync(DeploymentQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await QueryAsync(connection, $"""
            SELECT {Columns} {From}
            WHERE (@Service IS NULL OR d.service = @Service)
              AND (@Environment IS NULL OR d.environment = @Environment)
              AND (@State IS NULL OR d.state = @State)
              AND (@ReleaseId IS NULL OR d.release_id = @ReleaseId)
              {ReleasesIn(query.ReleaseIds)}
              AND (@Before IS NULL OR d.id < @Before)
            ORDER BY d.id DESC LIMIT @Limit
            """,
            new { query.Service, query.Environment, State = query.State?.ToString(), query.ReleaseId, query.Before, query.Limit },
            cancellationToken);
    }

    /// <summary>
    /// The condition on a list of release ids, written out as numbers (the same text for SQLite and PostgreSQL, which
    /// bind lists differently); they are numbers, so nothing from outside reaches the query's text.
    /// </summary>
    private static string ReleasesIn(IReadOnlyCollection<long>? ids) =>
        ids is null ? "" : ids.Count == 0 ? "AND 1 = 0" : $"AND d.release_id IN ({string.Join(", ", ids.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)))})";

    public async Task<IReadOnlyList<DeploymentEvent>> EventsAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(
            "SELECT deployment_id AS DeploymentId, at AS At, state AS State, actor AS Actor, message AS Message FROM deployment_events WHERE deployment_id = @id ORDER BY id",
            new { id }, cancellationToken: cancellationToken));
        return rows.Select(r => new DeploymentEvent(r.DeploymentId, UnixTime.To(r.At), Enum.Parse<DeploymentState>(r.State), r.Actor, r.Message)).ToList();
    }

    public async Task<bool> TransitionAsync(long id, Transition transition, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        if (!await TransitionAsync(write.Connection, write.Transaction, id, transition, UnixTime.From(now), cancellationToken))
        {
            return false;
        }
        await write.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// A transition inside a caller's transaction (a decision on an approval, a supersession): the state change and its
    /// event, or nothing when the deployment is no longer in <c>From</c>.
    /// </summary>
    internal static async Task<bool> TransitionAsync(
        DbConnection connection, DbTransaction transaction, long id, Transition transition, long at, CancellationToken cancellationToken)
    {
        var exclusive = transition.RequireEnvironmentFree
            ? $"""
              AND NOT EXISTS (
                  SELECT 1 FROM deployments o
                  WHERE o.service = deployments.service AND o.environment = deployments.environment
                    AND o.id <> deployments.id AND o.state IN ({SqlNames.In(DeploymentStates.HoldingEnvironment)}))
              """
            : "";
        if (transition.RequireEnvironmentFree && connection is Npgsql.NpgsqlConnection)
        {
            // Two deployments to one environment could each find it free.
            var (service, environment) = await connection.QuerySingleAsync<(string, string)>(new CommandDefinition(
                "SELECT service, environment FROM deployments WHERE id = @id", new { id }, transaction, cancellationToken: cancellationToken));
            await TakeEnvironmentTurnAsync(connection, transaction, service, environment, cancellationToken);
        }
        var changed = await connection.ExecuteAsync(new CommandDefinition($"""
            UPDATE deployments SET
                state = @To,
                updated_at = @at,
                progress = CASE WHEN @To = @From THEN progress END,
                succeeded_at = CASE WHEN @To = {SqlNames.Of(DeploymentState.Succeeded)} THEN @at ELSE succeeded_at END,
                started_at = CASE WHEN @To = {SqlNames.Of(DeploymentState.Applying)} THEN COALESCE(started_at, @at) ELSE started_at END,
                reason = COALESCE(@Reason, reason),
                diagnosis = COALESCE(@Diagnosis, diagnosis),
                verify_deadline = COALESCE(@VerifyDeadline, verify_deadline),
                previous_deployment_id = COALESCE(@PreviousDeploymentId, previous_deployment_id),
                restore_state = COALESCE(@RestoreState, restore_state),
                waiting = CASE WHEN @To IN ({SqlNames.In(DeploymentStates.Waiting)}) THEN COALESCE(@Waiting, CASE WHEN @To = @From THEN waiting END) END,
                waiting_until = CASE WHEN @To IN ({SqlNames.In(DeploymentStates.Waiting)}) THEN COALESCE(@WaitingUntil, CASE WHEN @To = @From THEN waiting_until END) END
            WHERE id = @id AND state = @From {exclusive}
            """,
            new
            {
                id,
                at,
                From = transition.From.ToString(),
                To = transition.To.ToString(),
                transition.Reason,
                transition.Diagnosis,
                VerifyDeadline = UnixTime.From(transition.VerifyDeadline),
                transition.PreviousDeploymentId,
                RestoreState = transition.RestoreState?.Name(),
                transition.Waiting,
                WaitingUntil = UnixTime.From(transition.WaitingUntil),
            },
            transaction, cancellationToken: cancellationToken));
        if (changed == 0)
        {
            return false;
        }
        await InsertEventAsync(connection, transaction, id, at, transition.To, transition.Actor, transition.Message, cancellationToken);
        if (NotificationKinds.OfDeployment(transition.From, transition.To, transition.RestoreState) is { } told)
        {
            var why = told is NotificationKind.Failed or NotificationKind.Blocked ? transition.Reason ?? transition.Message : transition.Message;
            await NotificationOutbox.AddForDeploymentAsync(connection, transaction, told, id, transition.Actor, why, at, cancellationToken);
        }
        return true;
    }

    public async Task<bool> SetProgressAsync(long id, DeploymentState state, string progress, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var changed = await write.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE deployments SET progress = @progress WHERE id = @id AND state = @state AND (progress IS NULL OR progress <> @progress)",
            new { id, state = state.ToString(), progress }, write.Transaction, cancellationToken: cancellationToken));
        if (changed > 0)
        {
            await InsertEventAsync(write.Connection, write.Transaction, id, UnixTime.From(now), state, actor, progress, cancellationToken);
        }
        await write.CommitAsync(cancellationToken);
        return changed > 0;
    }

    public async Task AppendEventAsync(long id, string actor, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await AppendEventAsync(write.Connection, write.Transaction, id, actor, message, now, cancellationToken);
        await write.CommitAsync(cancellationToken);
    }

    /// <summary>An event in the caller's transaction, in the deployment's current state (an action on a canary, a note).</summary>
    internal static Task AppendEventAsync(
        DbConnection connection, DbTransaction transaction, long id, string actor, string message, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO deployment_events (deployment_id, at, state, actor, message)
            SELECT id, @at, state, @actor, @message FROM deployments WHERE id = @id
            """,
            new { id, at = UnixTime.From(now), actor, message }, transaction, cancellationToken: cancellationToken));

    public async Task<Deployment?> CurrentAsync(string service, string environment, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await QueryAsync(connection, $"""
            SELECT {Columns} {From}
            WHERE d.service = @service AND d.environment = @environment AND d.state = {Succeeded} AND d.retired_at IS NULL
            ORDER BY d.succeeded_at DESC, d.id DESC LIMIT 1
            """, new { service, environment }, cancellationToken)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<Deployment>> CurrentAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await QueryAsync(connection, $"""
            SELECT {Columns} {From}
            WHERE d.id IN (
                SELECT (SELECT c.id FROM deployments c
                        WHERE c.service = p.service AND c.environment = p.environment AND c.state = {Succeeded} AND c.retired_at IS NULL
                        ORDER BY c.succeeded_at DESC, c.id DESC LIMIT 1)
                FROM (SELECT DISTINCT service, environment FROM deployments WHERE state = {Succeeded} AND retired_at IS NULL) p)
            ORDER BY d.service, d.environment
            """, new { }, cancellationToken);
    }

    public async Task<IReadOnlyList<Deployment>> LatestAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await QueryAsync(connection, $"""
            SELECT {Columns} {From}
            WHERE d.id IN (SELECT MAX(id) FROM deployments GROUP BY service, environment)
            ORDER BY d.service, d.environment
            """, new { }, cancellationToken);
    }

    public async Task<bool> HasSucceededAsync(long releaseId, string environment, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COUNT(*) FROM deployments WHERE release_id = @releaseId AND environment = @environment AND state = {Succeeded}",
            new { releaseId, environment }, cancellationToken: cancellationToken)) > 0;
    }

    private static Task InsertEventAsync(
        DbConnection connection, DbTransaction transaction, long id, long at, DeploymentState state, string actor, string message, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO deployment_events (deployment_id, at, state, actor, message) VALUES (@id, @at, @state, @actor, @message)",
            new { id, at, state = state.ToString(), actor, message }, transaction, cancellationToken: cancellationToken));

    private static async Task<IReadOnlyList<Deployment>> QueryAsync(
        DbConnection connection, string sql, object parameters, CancellationToken cancellationToken, DbTransaction? transaction = null)
    {
        var rows = await connection.QueryAsync<DeploymentRow>(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToDeployment()).ToList();
    }

    private sealed class DeploymentRow
    {
        public long Id { get; init; }

        public string Service { get; init; } = "";

        public string Environment { get; init; } = "";

        public long ReleaseId { get; init; }

        public string Version { get; init; } = "";

        public string CommitSha { get; init; } = "";

        public string State { get; init; } = "";

        public string? Reason { get; init; }

        public string RequestedBy { get; init; } = "";

        public string TriggerKind { get; init; } = "";

        public string? OverrideReason { get; init; }

        public long CreatedAt { get; init; }

        public long UpdatedAt { get; init; }

        public long? PreviousDeploymentId { get; init; }

        public long? VerifyDeadline { get; init; }

        public string? Diagnosis { get; init; }

        public string? RestoreState { get; init; }

        public string? Waiting { get; init; }

        public long? WaitingUntil { get; init; }

        public long? StartedAt { get; init; }

        public string? Progress { get; init; }

        public Deployment ToDeployment() => new(
            Id, Service, Environment, ReleaseId, Version, CommitSha, Enum.Parse<DeploymentState>(State), Reason, RequestedBy,
            Enum.Parse<DeploymentTrigger>(TriggerKind), OverrideReason, UnixTime.To(CreatedAt), UnixTime.To(UpdatedAt),
            PreviousDeploymentId, UnixTime.To(VerifyDeadline), Diagnosis)
        {
            RestoreState = RestoreState is null ? null : Enum.Parse<Core.Deployments.RestoreState>(RestoreState, ignoreCase: true),
            Waiting = Waiting,
            WaitingUntil = UnixTime.To(WaitingUntil),
            StartedAt = UnixTime.To(StartedAt),
            Progress = Progress,
        };
    }

    private sealed class EventRow
    {
        public long DeploymentId { get; init; }

        public long At { get; init; }

        public string State { get; init; } = "";

        public string Actor { get; init; } = "";

        public string Message { get; init; } = "";
    }

    /// <summary>
    /// On PostgreSQL, where transactions do not see each other's uncommitted rows, writers that decide on the
    /// deployments of one service in one environment take turns on a lock of that pair until their transaction ends, as
    /// SQLite's single writer makes them do; each statement after it sees what the previous holder committed.
    /// </summary>
    private static async Task TakeEnvironmentTurnAsync(DbConnection connection, DbTransaction transaction, string service, string environment, CancellationToken cancellationToken)
    {
        if (connection is Npgsql.NpgsqlConnection)
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtext(@key))", new { key = $"{service}/{environment}" },
                transaction, cancellationToken: cancellationToken));
        }
    }

    /// <summary>The admission's steps in one transaction.</summary>
    private sealed class Admission(DbConnection connection, DbTransaction transaction, DateTimeOffset now) : IAdmissionSteps
    {
        private readonly long _at = UnixTime.From(now);

        public Task<long?> PromotedBeforeAsync(NewDeployment deployment, CancellationToken cancellationToken) =>
            connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                $"SELECT id FROM deployments WHERE release_id = @ReleaseId AND environment = @Environment AND trigger_kind = {SqlNames.Of(DeploymentTrigger.Promotion)}",
                new { deployment.ReleaseId, deployment.Environment }, transaction, cancellationToken: cancellationToken));

        public Task<long> InsertAsync(NewDeployment deployment, CancellationToken cancellationToken)
        {
            var at = _at;
            return connection.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO deployments (service, environment, release_id, state, reason, requested_by, trigger_kind, override_reason, created_at, updated_at, waiting, waiting_until)
                VALUES (@Service, @Environment, @ReleaseId, @State, @Reason, @RequestedBy, @Trigger, @Override, @at, @at, @Waiting, @WaitingUntil)
                RETURNING id
                """,
                new
                {
                    deployment.Service,
                    deployment.Environment,
                    deployment.ReleaseId,
                    State = deployment.State.ToString(),
                    deployment.Reason,
                    deployment.RequestedBy,
                    Trigger = deployment.Trigger.ToString(),
                    deployment.Override,
                    at,
                    deployment.Waiting,
                    WaitingUntil = UnixTime.From(deployment.WaitingUntil),
                },
                transaction, cancellationToken: cancellationToken));
        }

        public async Task<IReadOnlyList<(long Id, DeploymentState State)>> WaitingBeforeAsync(NewDeployment deployment, long id, CancellationToken cancellationToken) =>
            (await connection.QueryAsync<(long Id, string State)>(new CommandDefinition(
                $"SELECT id, state FROM deployments WHERE service = @Service AND environment = @Environment AND state IN ({SqlNames.In(DeploymentStates.Waiting)}) AND id < @id ORDER BY id",
                new { deployment.Service, deployment.Environment, id }, transaction, cancellationToken: cancellationToken)))
            .Select(r => (r.Id, Enum.Parse<DeploymentState>(r.State))).ToList();

        public Task AddEventAsync(long id, DeploymentState state, string actor, string message, CancellationToken cancellationToken) =>
            InsertEventAsync(connection, transaction, id, _at, state, actor, message, cancellationToken);

        public Task TransitionAsync(long id, Transition transition, CancellationToken cancellationToken) =>
            DeploymentStore.TransitionAsync(connection, transaction, id, transition, _at, cancellationToken);

        public Task EnqueueAsync(long id, CancellationToken cancellationToken) =>
            JobQueue.EnqueueAsync(connection, transaction, JobKind.Deploy, id, now, cancellationToken);

        public Task TellAsync(NotificationKind kind, long id, string actor, string message, CancellationToken cancellationToken) =>
            NotificationOutbox.AddForDeploymentAsync(connection, transaction, kind, id, actor, message, _at, cancellationToken);
    }
}
