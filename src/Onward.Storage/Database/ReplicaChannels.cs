using System.Data.Common;
using Dapper;
using Npgsql;

namespace Onward.Storage.Database;

/// <summary>
/// What replicas sharing a PostgreSQL database tell each other: a writer notifies in its transaction
/// (<see cref="NotifyAsync"/>), delivered to every replica's <see cref="ReplicaNotifications"/> when the
/// transaction commits. On SQLite, whose one process knows its own changes, nothing is sent.
/// </summary>
public static class ReplicaChannels
{
    /// <summary>A job became due.</summary>
    public const string Jobs = "onward_jobs";

    /// <summary>An environment's flags changed; the subject is the environment's name.</summary>
    public const string Flags = "onward_flags";

    /// <summary>What a notification carries: the database object that sent it (<see cref="OnwardDatabase.Origin"/>) and what changed.</summary>
    public static string Payload(string origin, string subject) => $"{origin}:{subject}";

    /// <summary>Notifies <paramref name="channel"/> when the transaction commits (one transaction's identical notifications arrive as one).</summary>
    public static async Task NotifyAsync(DbConnection connection, DbTransaction transaction, string channel, string payload, CancellationToken cancellationToken)
    {
        if (connection is NpgsqlConnection)
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_notify(@channel, @payload)", new { channel, payload }, transaction, cancellationToken: cancellationToken));
        }
    }

    /// <summary>The origin and subject of a notification's payload.</summary>
    public static (string Origin, string Subject) Parse(string payload) =>
        payload.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 ? (payload[..colon], payload[(colon + 1)..]) : ("", payload);
}
