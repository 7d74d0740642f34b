using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;
using Onward.Core.Pipeline;
using Onward.Storage.Database;

namespace Onward.Storage.Webhooks;

/// <summary>
/// Records webhook deliveries on PostgreSQL in groups: deliveries that arrive while others are being written wait for
/// the next statement and go in together, each with its job and one wake for the replicas, in a single statement that
/// is atomic and durable on its own. A delivery alone costs one round trip; under load, one round trip and one commit
/// serve many, as SQLite's group commit does. Each caller returns once its own row is committed.
/// </summary>
internal sealed class DeliveryIntake(PostgresDatabase database)
{
    /// <summary>Statements in flight at once: enough to keep PostgreSQL busy while the next group gathers.</summary>
    private const int Writers = 4;

    /// <summary>Most deliveries in one statement.</summary>
    private const int MostPerGroup = 256;

    private static readonly string Statement = $"""
        WITH input AS (
            -- A provider's delivery id twice in one group: the first is recorded, the later one is a redelivery.
            SELECT DISTINCT ON (provider, delivery_id) *
            FROM unnest(@provider, @event, @delivery_id, @received_at, @repository, @ref, @ref_kind, @name, @commit_sha, @forced, @action, @reason, @push, @build, @position)
                AS t(provider, event, delivery_id, received_at, repository, ref, ref_kind, name, commit_sha, forced, action, reason, push, build, position)
            ORDER BY provider, delivery_id, position
        ),
        added AS (
            INSERT INTO webhook_deliveries (provider, event, delivery_id, received_at, repository, ref, ref_kind, name, commit_sha, forced, action, reason, push)
            SELECT provider, event, delivery_id, received_at, repository, ref, ref_kind, name, commit_sha, forced, action, reason, push FROM input ORDER BY position
            ON CONFLICT (provider, delivery_id) DO NOTHING
            RETURNING id, provider, delivery_id
        ),
        queued AS (
            INSERT INTO jobs (kind, subject, due_at, created_at)
            SELECT '{JobKind.Delivery}', added.id, input.received_at, input.received_at
            FROM added JOIN input ON input.provider = added.provider AND input.delivery_id = added.delivery_id
            WHERE input.build
            RETURNING subject
        )
        SELECT added.provider, added.delivery_id, added.id, (SELECT count(pg_notify('{ReplicaChannels.Jobs}', '')) FROM queued) FROM added
        """;

    private readonly ConcurrentQueue<Pending> _pending = new();
    private int _writing;

    /// <summary>One delivery's row, as <c>webhook_deliveries</c> stores it.</summary>
    public sealed record Row(
        string Provider, string Event, string DeliveryId, long ReceivedAt, string? Repository, string? Ref, string? RefKind, string? Name,
        string? Commit, long? Forced, string Action, string Reason, string? Push, bool Build);

    /// <returns>The new delivery's id, or null when the provider's delivery id was recorded before.</returns>
    public Task<long?> AddAsync(Row row, CancellationToken cancellationToken)
    {
        var mine = new Pending(row);
        _pending.Enqueue(mine);
        StartWriter();
        // A caller that gives up does not take its delivery back: it is recorded with its group, and a redelivery is told apart.
        return mine.Done.Task.WaitAsync(cancellationToken);
    }

    private void StartWriter()
    {
        if (Interlocked.Increment(ref _writing) > Writers)
        {
            // Enough writers are busy; each looks at the queue again before it stops.
            Interlocked.Decrement(ref _writing);
            return;
        }
        _ = Task.Run(DrainAsync, CancellationToken.None);
    }

    private async Task DrainAsync()
    {
        try
        {
            while (Take() is { Count: > 0 } group)
            {
                await WriteAsync(group);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _writing);
        }
        // A delivery queued after the last look, while this writer still counted as busy.
        if (!_pending.IsEmpty)
        {
            StartWriter();
        }
    }

    private List<Pending> Take()
    {
        var group = new List<Pending>();
        while (group.Count < MostPerGroup && _pending.TryDequeue(out var next))
        {
            group.Add(next);
        }
        return group;
    }

    private async Task WriteAsync(List<Pending> group)
    {
        try
        {
            var ids = new Dictionary<(string, string), long>();
            await using (var connection = (NpgsqlConnection)await database.OpenAsync(CancellationToken.None))
            await using (var command = new NpgsqlCommand(Statement, connection))
            {
                var rows = group.Select(p => p.Row).ToList();
                Add(command, "provider", NpgsqlDbType.Text, rows.Select(r => r.Provider));
                Add(command, "event", NpgsqlDbType.Text, rows.Select(r => r.Event));
                Add(command, "delivery_id", NpgsqlDbType.Text, rows.Select(r => r.DeliveryId));
                Add(command, "received_at", NpgsqlDbType.Bigint, rows.Select(r => r.ReceivedAt));
                Add(command, "repository", NpgsqlDbType.Text, rows.Select(r => r.Repository));
                Add(command, "ref", NpgsqlDbType.Text, rows.Select(r => r.Ref));
                Add(command, "ref_kind", NpgsqlDbType.Text, rows.Select(r => r.RefKind));
                Add(command, "name", NpgsqlDbType.Text, rows.Select(r => r.Name));
                Add(command, "commit_sha", NpgsqlDbType.Text, rows.Select(r => r.Commit));
                Add(command, "forced", NpgsqlDbType.Bigint, rows.Select(r => r.Forced));
                Add(command, "action", NpgsqlDbType.Text, rows.Select(r => r.Action));
                Add(command, "reason", NpgsqlDbType.Text, rows.Select(r => r.Reason));
                Add(command, "push", NpgsqlDbType.Text, rows.Select(r => r.Push));
                Add(command, "build", NpgsqlDbType.Boolean, rows.Select(r => r.Build));
                Add(command, "position", NpgsqlDbType.Integer, Enumerable.Range(0, rows.Count));
                await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
                while (await reader.ReadAsync(CancellationToken.None))
                {
                    ids[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
                }
            }
            // The first of a group's deliveries with one provider id is the one recorded; any later one is a redelivery.
            foreach (var pending in group)
            {
                var key = (pending.Row.Provider, pending.Row.DeliveryId);
                pending.Done.TrySetResult(ids.Remove(key, out var id) ? id : null);
            }
        }
        catch (Exception e)
        {
            foreach (var pending in group)
            {
                pending.Done.TrySetException(e);
            }
        }
    }

    private static void Add<T>(NpgsqlCommand command, string name, NpgsqlDbType type, IEnumerable<T> values) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type) { Value = values.ToArray() });

    private sealed class Pending(Row row)
    {
        public Row Row { get; } = row;

        public TaskCompletionSource<long?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
