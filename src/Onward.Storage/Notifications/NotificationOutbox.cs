using Onward.Contracts.Notifications;
using System.Data.Common;
using Dapper;
using Onward.Core.Notifications;

namespace Onward.Storage.Notifications;

/// <summary>Writes notification events in the caller's transaction, so that an event exists exactly when its change does.</summary>
internal static class NotificationOutbox
{
    private const string Columns = "kind, service, environment, version, commit_sha, deployment_id, release_id, actor, message, at";

    /// <summary>
    /// An event about a deployment, with its service, environment and release; <see cref="NotificationKind.Ended"/>
    /// only for a deployment something was told of before.
    /// </summary>
    public static Task AddForDeploymentAsync(
        DbConnection connection, DbTransaction transaction, NotificationKind kind, long deploymentId, string actor, string message, long at, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO notification_events ({Columns})
            SELECT @kind, d.service, d.environment, r.version, r.commit_sha, d.id, r.id, @actor, @message, @at
            FROM deployments d JOIN releases r ON r.id = d.release_id
            WHERE d.id = @deploymentId AND (@kind <> @ended OR EXISTS (SELECT 1 FROM notification_events p WHERE p.deployment_id = d.id))
            """, new { kind = kind.Name(), deploymentId, actor, message = NotificationEvent.Bounded(message), at, ended = NotificationKind.Ended.Name() },
            transaction, cancellationToken: cancellationToken));

    /// <summary>An event about a release (its build), with its service.</summary>
    public static Task AddForReleaseAsync(
        DbConnection connection, DbTransaction transaction, NotificationKind kind, long releaseId, string actor, string message, long at, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO notification_events ({Columns})
            SELECT @kind, service, NULL, version, commit_sha, NULL, id, @actor, @message, @at FROM releases WHERE id = @releaseId
            """, new { kind = kind.Name(), releaseId, actor, message = NotificationEvent.Bounded(message), at }, transaction, cancellationToken: cancellationToken));

    /// <summary>An event about an environment (a freeze, a flag).</summary>
    public static Task AddForEnvironmentAsync(
        DbConnection connection, DbTransaction transaction, NotificationKind kind, string environment, string actor, string message, long at, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO notification_events ({Columns}) VALUES (@kind, NULL, @environment, NULL, NULL, NULL, NULL, @actor, @message, @at)
            """, new { kind = kind.Name(), environment, actor, message = NotificationEvent.Bounded(message), at }, transaction, cancellationToken: cancellationToken));
}
