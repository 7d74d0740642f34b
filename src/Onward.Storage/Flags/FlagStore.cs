using Onward.Contracts.Notifications;
using Onward.Core.Audit;
using System.Data.Common;
using System.Text.Json.Nodes;
using Dapper;
using Onward.Core.Flags;
using Onward.Storage.Database;
using Onward.Core.Notifications;
using Onward.Storage.Notifications;

namespace Onward.Storage.Flags;

public sealed class FlagStore(OnwardDatabase database) : IFlagStore
{
    // The environment's own set is stored under this owner; a service's set under the service's name.
    private const string EnvironmentOwner = "";

    public async Task<IReadOnlyList<StoredFlagSet>> SetsAsync(string environment, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SetRow>(new CommandDefinition("""
            SELECT environment AS Environment, owner AS Owner, document AS Document, deployment_id AS DeploymentId, version AS Version,
                   actor AS Actor, updated_at AS UpdatedAt
            FROM flag_sets WHERE environment = @environment
            """, new { environment }, cancellationToken: cancellationToken));
        return rows.Select(r => new StoredFlagSet(r.Environment, r.Owner.Length == 0 ? null : r.Owner, r.Document, r.DeploymentId, r.Version, r.Actor, UnixTime.To(r.UpdatedAt))).ToList();
    }

    public async Task<IReadOnlyList<FlagSwitch>> SwitchesAsync(string environment, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SwitchRow>(new CommandDefinition("""
            SELECT environment AS Environment, flag_key AS FlagKey, enabled AS Enabled, default_variant AS DefaultVariant, targeting AS Targeting,
                   actor AS Actor, comment AS Comment, at AS At
            FROM flag_switches WHERE environment = @environment ORDER BY flag_key
            """, new { environment }, cancellationToken: cancellationToken));
        return rows.Select(r => new FlagSwitch(r.Environment, r.FlagKey, r.Enabled is null ? null : r.Enabled != 0, r.DefaultVariant,
            r.Targeting is null ? null : JsonNode.Parse(r.Targeting) as JsonObject, r.Actor, r.Comment, UnixTime.To(r.At))).ToList();
    }

    public async Task SaveSetAsync(StoredFlagSet set, IReadOnlyList<FlagChange> changes, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO flag_sets (environment, owner, document, deployment_id, version, actor, updated_at)
            VALUES (@Environment, @owner, @Document, @DeploymentId, @Version, @Actor, @at)
            ON CONFLICT (environment, owner) DO UPDATE SET document = excluded.document, deployment_id = excluded.deployment_id,
                version = excluded.version, actor = excluded.actor, updated_at = excluded.updated_at
            """, new { set.Environment, owner = set.Service ?? EnvironmentOwner, set.Document, set.DeploymentId, set.Version, set.Actor, at = UnixTime.From(set.UpdatedAt) },
            write.Transaction, cancellationToken: cancellationToken));
        foreach (var change in changes)
        {
            await InsertChangeAsync(write.Connection, write.Transaction, change, cancellationToken);
        }
        await TellReplicasAsync(write, set.Environment, cancellationToken);
        await write.CommitAsync(cancellationToken);
    }

    public async Task SaveSwitchAsync(FlagSwitch flagSwitch, FlagChange change, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO flag_switches (environment, flag_key, enabled, default_variant, targeting, actor, comment, at)
            VALUES (@Environment, @Key, @enabled, @DefaultVariant, @targeting, @Actor, @Comment, @at)
            ON CONFLICT (environment, flag_key) DO UPDATE SET enabled = excluded.enabled, default_variant = excluded.default_variant,
                targeting = excluded.targeting, actor = excluded.actor, comment = excluded.comment, at = excluded.at
            """, new
        {
            flagSwitch.Environment,
            flagSwitch.Key,
            enabled = flagSwitch.Enabled is null ? (int?)null : flagSwitch.Enabled.Value ? 1 : 0,
            flagSwitch.DefaultVariant,
            targeting = flagSwitch.Targeting?.ToJsonString(),
            flagSwitch.Actor,
            flagSwitch.Comment,
            at = UnixTime.From(flagSwitch.At),
        }, write.Transaction, cancellationToken: cancellationToken));
        await InsertChangeAsync(write.Connection, write.Transaction, change, cancellationToken);
        await TellReplicasAsync(write, flagSwitch.Environment, cancellationToken);
        await write.CommitAsync(cancellationToken);
    }

    public async Task<bool> RemoveSwitchAsync(string environment, string key, FlagChange change, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var removed = await write.Connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM flag_switches WHERE environment = @environment AND flag_key = @key", new { environment, key }, write.Transaction, cancellationToken: cancellationToken));
        if (removed == 0)
        {
            return false;
        }
        await InsertChangeAsync(write.Connection, write.Transaction, change, cancellationToken);
        await TellReplicasAsync(write, environment, cancellationToken);
        await write.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The other replicas read the environment's flags again once the write commits.</summary>
    private Task TellReplicasAsync(WriteScope write, string environment, CancellationToken cancellationToken) =>
        ReplicaChannels.NotifyAsync(write.Connection, write.Transaction, ReplicaChannels.Flags, ReplicaChannels.Payload(database.Origin, environment), cancellationToken);

    public Task<IAsyncDisposable> LockAsync(string environment, CancellationToken cancellationToken) => database.LockAsync("flags/" + environment, cancellationToken);

    public async Task<IReadOnlyList<FlagChange>> HistoryAsync(string environment, string? key, int limit, long? before, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ChangeRow>(new CommandDefinition("""
            SELECT id AS Id, environment AS Environment, flag_key AS FlagKey, actor AS Actor, at AS At, comment AS Comment, source AS Source,
                   before_json AS BeforeJson, after_json AS AfterJson, deployment_id AS DeploymentId
            FROM flag_changes
            WHERE environment = @environment AND (@key IS NULL OR flag_key = @key) AND (@before IS NULL OR id < @before)
            ORDER BY id DESC LIMIT @limit
            """, new { environment, key, before, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => new FlagChange(r.Id, r.Environment, r.FlagKey, r.Actor, UnixTime.To(r.At), r.Comment, r.Source,
            r.BeforeJson is null ? null : JsonNode.Parse(r.BeforeJson) as JsonObject, r.AfterJson is null ? null : JsonNode.Parse(r.AfterJson) as JsonObject, r.DeploymentId)).ToList();
    }

    /// <summary>Records a change in the flag's history and in the audit trail, in the transaction of the change.</summary>
    private static async Task InsertChangeAsync(DbConnection connection, DbTransaction transaction, FlagChange change, CancellationToken cancellationToken)
    {
        var (action, message) = AuditMessages.FlagChanged(change);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO audit_events (at, actor, action, environment, message) VALUES (@at, @Actor, @action, @Environment, @message)
            """, new
        {
            at = UnixTime.From(change.At),
            change.Actor,
            action,
            change.Environment,
            message,
        }, transaction, cancellationToken: cancellationToken));
        await NotificationOutbox.AddForEnvironmentAsync(connection, transaction, NotificationKind.FlagChanged, change.Environment, change.Actor,
            $"{message} in {change.Environment}", UnixTime.From(change.At), cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO flag_changes (environment, flag_key, actor, at, comment, source, before_json, after_json, deployment_id)
            VALUES (@Environment, @Key, @Actor, @at, @Comment, @Source, @before, @after, @DeploymentId)
            """, new
        {
            change.Environment,
            change.Key,
            change.Actor,
            at = UnixTime.From(change.At),
            change.Comment,
            change.Source,
            before = change.Before?.ToJsonString(),
            after = change.After?.ToJsonString(),
            change.DeploymentId,
        }, transaction, cancellationToken: cancellationToken));
    }

    private sealed class SetRow
    {
        public string Environment { get; init; } = "";

        public string Owner { get; init; } = "";

        public string Document { get; init; } = "";

        public long? DeploymentId { get; init; }

        public string? Version { get; init; }

        public string Actor { get; init; } = "";

        public long UpdatedAt { get; init; }
    }

    private sealed class SwitchRow
    {
        public string Environment { get; init; } = "";

        public string FlagKey { get; init; } = "";

        public long? Enabled { get; init; }

        public string? DefaultVariant { get; init; }

        public string? Targeting { get; init; }

        public string Actor { get; init; } = "";

        public string Comment { get; init; } = "";

        public long At { get; init; }
    }

    private sealed class ChangeRow
    {
        public long Id { get; init; }

        public string Environment { get; init; } = "";

        public string FlagKey { get; init; } = "";

        public string Actor { get; init; } = "";

        public long At { get; init; }

        public string? Comment { get; init; }

        public string Source { get; init; } = "";

        public string? BeforeJson { get; init; }

        public string? AfterJson { get; init; }

        public long? DeploymentId { get; init; }
    }
}
