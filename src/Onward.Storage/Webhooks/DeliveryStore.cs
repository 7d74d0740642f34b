using System.Text.Json;
using Dapper;
using Onward.Core.Pipeline;
using Onward.Core.Releases;
using Onward.Core.Webhooks;
using Onward.Storage.Database;
using Onward.Storage.Pipeline;

namespace Onward.Storage.Webhooks;

public sealed class DeliveryStore(OnwardDatabase database, JobQueue jobs) : IDeliveryStore
{
    private const string Columns = """
        id AS Id, provider AS Provider, event AS Event, delivery_id AS DeliveryId, received_at AS ReceivedAt,
        repository AS Repository, ref AS Ref, ref_kind AS RefKind, name AS Name, commit_sha AS CommitSha,
        forced AS Forced, action AS Action, reason AS Reason, release_id AS ReleaseId
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly DeliveryIntake? _intake = database is PostgresDatabase postgres ? new DeliveryIntake(postgres) : null;

    public async Task<Delivery?> AddAsync(NewDelivery delivery, PushEvent? push, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var build = delivery.Action == DeliveryAction.Build;
        var row = new DeliveryIntake.Row(delivery.Provider, delivery.Event, delivery.DeliveryId, UnixTime.From(now), delivery.Repository, delivery.Ref,
            delivery.RefKind?.ToString(), delivery.Name, delivery.Commit, delivery.Forced is { } forced ? (forced ? 1 : 0) : null,
            delivery.Action.ToString(), delivery.Reason, push is null ? null : JsonSerializer.Serialize(push, Json), build);
        var id = _intake is not null ? await _intake.AddAsync(row, cancellationToken) : await AddInTransactionAsync(row, now, cancellationToken);
        if (id is null)
        {
            return null;
        }
        if (build)
        {
            jobs.Notify();
        }
        return new Delivery(id.Value, delivery.Provider, delivery.Event, delivery.DeliveryId, now, delivery.Repository, delivery.Ref,
            delivery.RefKind, delivery.Name, delivery.Commit, delivery.Forced, delivery.Action, delivery.Reason, null);
    }

    /// <summary>SQLite: the delivery and its job in a writer's turn, committed with the other writers' (group commit).</summary>
    private async Task<long?> AddInTransactionAsync(DeliveryIntake.Row row, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var id = await write.Connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO webhook_deliveries (provider, event, delivery_id, received_at, repository, ref, ref_kind, name, commit_sha, forced, action, reason, push)
            VALUES (@Provider, @Event, @DeliveryId, @ReceivedAt, @Repository, @Ref, @RefKind, @Name, @Commit, @Forced, @Action, @Reason, @Push)
            ON CONFLICT (provider, delivery_id) DO NOTHING
            RETURNING id
            """, row, write.Transaction, cancellationToken: cancellationToken));
        if (id is null)
        {
            return null;
        }
        if (row.Build)
        {
            await JobQueue.EnqueueAsync(write.Connection, write.Transaction, JobKind.Delivery, id.Value, now, cancellationToken);
        }
        await write.CommitAsync(cancellationToken);
        return id;
    }

    public async Task<Delivery?> GetAsync(long id, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT {Columns} FROM webhook_deliveries WHERE id = @id", new { id }, cancellationToken)).FirstOrDefault();

    public async Task<PushEvent?> PushOfAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var json = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT push FROM webhook_deliveries WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return json is null ? null : JsonSerializer.Deserialize<PushEvent>(json, Json);
    }

    public Task<IReadOnlyList<Delivery>> ListAsync(int limit, long? before, string? provider, DeliveryAction? action, CancellationToken cancellationToken) =>
        QueryAsync($"""
            SELECT {Columns} FROM webhook_deliveries
            WHERE (@before IS NULL OR id < @before) AND (@provider IS NULL OR provider = @provider) AND (@action IS NULL OR action = @action)
            ORDER BY id DESC LIMIT @limit
            """, new { limit, before, provider, action = action?.ToString() }, cancellationToken);

    public async Task CompleteAsync(long id, DeliveryAction action, string reason, long? releaseId, string? commit, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE webhook_deliveries SET action = @action, reason = @reason, release_id = @releaseId, commit_sha = COALESCE(@commit, commit_sha) WHERE id = @id",
            new { id, action = action.ToString(), reason, releaseId, commit }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<Delivery>> QueryAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<DeliveryRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToDelivery()).ToList();
    }

    private sealed class DeliveryRow
    {
        public long Id { get; init; }

        public string Provider { get; init; } = "";

        public string Event { get; init; } = "";

        public string DeliveryId { get; init; } = "";

        public long ReceivedAt { get; init; }

        public string? Repository { get; init; }

        public string? Ref { get; init; }

        public string? RefKind { get; init; }

        public string? Name { get; init; }

        public string? CommitSha { get; init; }

        public long? Forced { get; init; }

        public string Action { get; init; } = "";

        public string Reason { get; init; } = "";

        public long? ReleaseId { get; init; }

        public Delivery ToDelivery() => new(
            Id, Provider, Event, DeliveryId, UnixTime.To(ReceivedAt), Repository, Ref,
            RefKind is null ? null : Enum.Parse<RefKind>(RefKind), Name, CommitSha, Forced is null ? null : Forced != 0,
            Enum.Parse<DeliveryAction>(Action), Reason, ReleaseId);
    }
}
