using Onward.Contracts.Notifications;
using Onward.Core.Notifications;

namespace Onward.Testing.Fakes;

/// <summary>
/// What the fakes share as the stores share a database: one lock that every change holds (so that a change and its
/// job, audit entry and notification event are one step, as in a transaction), the job queue, the audit entries and
/// the notification outbox.
/// </summary>
public sealed class FakeDatabase
{
    public FakeDatabase() => Jobs = new FakeJobQueue(this);

    /// <summary>Held by every change, as the one writer of an SQLite file is.</summary>
    public object Gate { get; } = new();

    public FakeJobQueue Jobs { get; }

    /// <summary>Environment- and token-level entries of the audit trail (deployments' events are the other half).</summary>
    internal List<(long Seq, DateTimeOffset At, string Actor, string Action, string? Environment, string Message)> Audit { get; } = [];

    /// <summary>Notification events, with whether they were fanned out.</summary>
    internal List<(NotificationEvent Event, bool FannedOut)> Outbox { get; } = [];

    internal void AddAudit(DateTimeOffset at, string actor, string action, string? environment, string message)
    {
        lock (Gate)
        {
            Audit.Add((Audit.Count + 1, at, actor, action, environment, message));
        }
    }

    /// <summary>Adds a notification event (its id is given here); <paramref name="fill"/> sets everything else.</summary>
    internal void Tell(Func<long, NotificationEvent> fill)
    {
        lock (Gate)
        {
            var told = fill(Outbox.Count + 1);
            Outbox.Add((told with { Message = NotificationEvent.Bounded(told.Message) }, false));
        }
    }

    internal void TellEnvironment(NotificationKind kind, string environment, string actor, string message, DateTimeOffset at) =>
        Tell(id => new NotificationEvent(id, kind, null, environment, null, null, null, null, actor, message, at));
}
