using Onward.Contracts.Notifications;
using Onward.Core.Audit;
using System.Data.Common;
using Dapper;
using Onward.Core.Freezes;
using Onward.Storage.Audit;
using Onward.Storage.Database;
using Onward.Core.Notifications;
using Onward.Storage.Notifications;

namespace Onward.Storage.Freezes;

public sealed class FreezeStore(OnwardDatabase database) : IFreezeStore
{
    private const string Columns = """
        id AS Id, environment AS Environment, until_at AS UntilAt, reason AS Reason, set_by AS SetBy, set_at AS SetAt,
        lifted_at AS LiftedAt, lifted_by AS LiftedBy
        """;

    public async Task<EnvironmentFreeze> SetAsync(string environment, DateTimeOffset until, string reason, string setBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var freeze = (await QueryAsync(write.Connection, $"""
            INSERT INTO environment_freezes (environment, until_at, reason, set_by, set_at) VALUES (@environment, @until, @reason, @setBy, @now)
            RETURNING {Columns}
            """, new { environment, until = UnixTime.From(until), reason, setBy, now = UnixTime.From(now) }, write.Transaction, cancellationToken))[0];
        var message = AuditMessages.FreezeSet(environment, until, reason);
        await AuditRows.InsertAsync(write.Connection, write.Transaction, now, setBy, "freeze.set", environment, message, cancellationToken);
        await NotificationOutbox.AddForEnvironmentAsync(write.Connection, write.Transaction, NotificationKind.FreezeStarted, environment, setBy, message,
            UnixTime.From(now), cancellationToken);
        await write.CommitAsync(cancellationToken);
        return freeze;
    }

    public async Task<IReadOnlyList<EnvironmentFreeze>> LiftAsync(string environment, string liftedBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var lifted = await QueryAsync(write.Connection, $"""
            UPDATE environment_freezes SET lifted_at = @now, lifted_by = @liftedBy, end_told = 1
            WHERE environment = @environment AND lifted_at IS NULL AND until_at > @now
            RETURNING {Columns}
            """, new { environment, liftedBy, now = UnixTime.From(now) }, write.Transaction, cancellationToken);
        foreach (var freeze in lifted)
        {
            var message = AuditMessages.FreezeLifted(freeze);
            await AuditRows.InsertAsync(write.Connection, write.Transaction, now, liftedBy, "freeze.lifted", environment, message, cancellationToken);
            await NotificationOutbox.AddForEnvironmentAsync(write.Connection, write.Transaction, NotificationKind.FreezeEnded, environment, liftedBy, message,
                UnixTime.From(now), cancellationToken);
        }
        await write.CommitAsync(cancellationToken);
        return lifted;
    }

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> WindowsFrozenAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<(string Environment, long ChangedAt)>(new CommandDefinition(
            "SELECT environment, changed_at FROM freeze_window_states WHERE frozen = 1", cancellationToken: cancellationToken)))
            .ToDictionary(r => r.Environment, r => UnixTime.To(r.ChangedAt), StringComparer.Ordinal);
    }

    public async Task<bool> RecordWindowAsync(string environment, ActiveFreeze? window, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var at = UnixTime.From(now);
        await write.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO freeze_window_states (environment, frozen, changed_at) VALUES (@environment, 0, @at) ON CONFLICT (environment) DO NOTHING
            """, new { environment, at }, write.Transaction, cancellationToken: cancellationToken));
        // Whoever changes the row tells it; a replica that comes second changes nothing.
        var changed = await write.Connection.ExecuteAsync(new CommandDefinition(window is not null
            ? """
              UPDATE freeze_window_states SET frozen = 1, until_at = @until, changed_at = @at
              WHERE environment = @environment AND frozen = 0 AND (until_at IS NULL OR until_at < @until OR changed_at < @began)
              """
            : "UPDATE freeze_window_states SET frozen = 0, changed_at = @at WHERE environment = @environment AND frozen = 1 AND (until_at IS NULL OR until_at <= @at)",
            new { environment, at, until = UnixTime.From(window?.Until), began = UnixTime.From(window?.Began) }, write.Transaction, cancellationToken: cancellationToken));
        return await TellWindowAsync(write, changed == 1, began: window is not null, environment, message, now, cancellationToken);
    }

    public async Task<bool> EndRemovedWindowAsync(string environment, DateTimeOffset began, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        // The moment it began names the window: a replica that comes second, or one that began another since, changes nothing.
        var changed = await write.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE freeze_window_states SET frozen = 0, changed_at = @at WHERE environment = @environment AND frozen = 1 AND changed_at = @began",
            new { environment, at = UnixTime.From(now), began = UnixTime.From(began) }, write.Transaction, cancellationToken: cancellationToken));
        return await TellWindowAsync(write, changed == 1, began: false, environment, message, now, cancellationToken);
    }

    /// <summary>When <paramref name="changed"/>, the audit entry and event of a window's beginning or end; commits.</summary>
    private static async Task<bool> TellWindowAsync(WriteScope write, bool changed, bool began, string environment, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (changed)
        {
            await AuditRows.InsertAsync(write.Connection, write.Transaction, now, "onward", began ? "freeze.window-began" : "freeze.window-ended", environment, message, cancellationToken);
            await NotificationOutbox.AddForEnvironmentAsync(write.Connection, write.Transaction, began ? NotificationKind.FreezeStarted : NotificationKind.FreezeEnded,
                environment, "onward", message, UnixTime.From(now), cancellationToken);
        }
        await write.CommitAsync(cancellationToken);
        return changed;
    }

    public async Task<IReadOnlyList<EnvironmentFreeze>> TellRunOutAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var range = new { now = UnixTime.From(now), since = UnixTime.From(now - TimeSpan.FromDays(1)) };
        const string RunOut = "lifted_at IS NULL AND end_told = 0 AND until_at <= @now AND until_at > @since";
        if (!await database.AnyAsync($"SELECT 1 FROM environment_freezes WHERE {RunOut} LIMIT 1", range, cancellationToken))
        {
            return [];
        }
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var ended = await QueryAsync(write.Connection, $"UPDATE environment_freezes SET end_told = 1 WHERE {RunOut} RETURNING {Columns}", range, write.Transaction, cancellationToken);
        foreach (var freeze in ended)
        {
            var message = AuditMessages.FreezeRanOut(freeze);
            await NotificationOutbox.AddForEnvironmentAsync(write.Connection, write.Transaction, NotificationKind.FreezeEnded, freeze.Environment, "onward", message,
                UnixTime.From(now), cancellationToken);
        }
        await write.CommitAsync(cancellationToken);
        return ended;
    }

    public async Task<IReadOnlyList<EnvironmentFreeze>> ActiveAsync(string? environment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await QueryAsync(connection, $"""
            SELECT {Columns} FROM environment_freezes
            WHERE (@environment IS NULL OR environment = @environment) AND lifted_at IS NULL AND until_at > @now
            ORDER BY id
            """, new { environment, now = UnixTime.From(now) }, null, cancellationToken);
    }

    private static async Task<IReadOnlyList<EnvironmentFreeze>> QueryAsync(
        DbConnection connection, string sql, object parameters, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<FreezeRow>(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
        return rows.Select(r => new EnvironmentFreeze(
            r.Id, r.Environment, UnixTime.To(r.UntilAt), r.Reason, r.SetBy, UnixTime.To(r.SetAt), UnixTime.To(r.LiftedAt), r.LiftedBy)).ToList();
    }

    private sealed class FreezeRow
    {
        public long Id { get; init; }

        public string Environment { get; init; } = "";

        public long UntilAt { get; init; }

        public string Reason { get; init; } = "";

        public string SetBy { get; init; } = "";

        public long SetAt { get; init; }

        public long? LiftedAt { get; init; }

        public string? LiftedBy { get; init; }
    }
}
