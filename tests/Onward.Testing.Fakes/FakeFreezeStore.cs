using Onward.Contracts.Notifications;
using Onward.Core.Audit;
using Onward.Core.Freezes;
using Onward.Core.Notifications;

namespace Onward.Testing.Fakes;

/// <summary>
/// Ad-hoc freezes and the state of freeze windows in memory, with the stores' rules: whoever changes a window's
/// state tells it (a replica coming second changes nothing), a freeze is told when set, lifted or run out, once, and
/// each change is in the audit trail.
/// </summary>
public sealed class FakeFreezeStore(FakeDatabase database) : IFreezeStore
{
    private readonly List<(EnvironmentFreeze Freeze, bool EndTold)> _freezes = [];
    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);

    public FakeFreezeStore()
        : this(new FakeDatabase())
    {
    }

    /// <summary>What was told about freezes: <c>freeze.started</c> or <c>freeze.ended</c>, the environment and the message.</summary>
    public IReadOnlyList<(string Kind, string Environment, string Message)> Told
    {
        get
        {
            lock (database.Gate)
            {
                return database.Outbox.Select(e => e.Event).Where(e => e.Kind is NotificationKind.FreezeStarted or NotificationKind.FreezeEnded)
                    .Select(e => (e.Kind.Name(), e.Environment!, e.Message)).ToList();
            }
        }
    }

    public Task<EnvironmentFreeze> SetAsync(string environment, DateTimeOffset until, string reason, string setBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            var freeze = new EnvironmentFreeze(_freezes.Count + 1, environment, until, reason, setBy, now, null, null);
            _freezes.Add((freeze, false));
            var message = AuditMessages.FreezeSet(environment, until, reason);
            database.AddAudit(now, setBy, "freeze.set", environment, message);
            database.TellEnvironment(NotificationKind.FreezeStarted, environment, setBy, message, now);
            return Task.FromResult(freeze);
        }
    }

    public Task<IReadOnlyList<EnvironmentFreeze>> LiftAsync(string environment, string liftedBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            var lifted = new List<EnvironmentFreeze>();
            for (var i = 0; i < _freezes.Count; i++)
            {
                var freeze = _freezes[i].Freeze;
                if (freeze.Environment == environment && freeze.LiftedAt is null && freeze.Until > now)
                {
                    _freezes[i] = (freeze with { LiftedAt = now, LiftedBy = liftedBy }, true);
                    lifted.Add(_freezes[i].Freeze);
                    var message = AuditMessages.FreezeLifted(freeze);
                    database.AddAudit(now, liftedBy, "freeze.lifted", environment, message);
                    database.TellEnvironment(NotificationKind.FreezeEnded, environment, liftedBy, message, now);
                }
            }
            return Task.FromResult<IReadOnlyList<EnvironmentFreeze>>(lifted);
        }
    }

    public Task<IReadOnlyList<EnvironmentFreeze>> ActiveAsync(string? environment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult<IReadOnlyList<EnvironmentFreeze>>(_freezes.Select(f => f.Freeze)
                .Where(f => (environment is null || f.Environment == environment) && f.LiftedAt is null && f.Until > now).ToList());
        }
    }

    public Task<IReadOnlyDictionary<string, DateTimeOffset>> WindowsFrozenAsync(CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult<IReadOnlyDictionary<string, DateTimeOffset>>(
                _windows.Where(w => w.Value.Frozen).ToDictionary(w => w.Key, w => w.Value.ChangedAt, StringComparer.Ordinal));
        }
    }

    public Task<bool> RecordWindowAsync(string environment, ActiveFreeze? window, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            var state = _windows.TryGetValue(environment, out var known) ? known : _windows[environment] = new Window(false, null, now);
            var changed = window is not null
                ? !state.Frozen && (state.Until is null || state.Until < window.Until || state.ChangedAt < window.Began)
                : state.Frozen && (state.Until is null || state.Until <= now);
            if (changed)
            {
                _windows[environment] = window is not null ? new Window(true, window.Until, now) : state with { Frozen = false, ChangedAt = now };
            }
            return Task.FromResult(Tell(changed, began: window is not null, environment, message, now));
        }
    }

    public Task<bool> EndRemovedWindowAsync(string environment, DateTimeOffset began, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            var changed = _windows.TryGetValue(environment, out var state) && state.Frozen && state.ChangedAt == began;
            if (changed)
            {
                _windows[environment] = state! with { Frozen = false, ChangedAt = now };
            }
            return Task.FromResult(Tell(changed, began: false, environment, message, now));
        }
    }

    public Task<IReadOnlyList<EnvironmentFreeze>> TellRunOutAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            var ended = new List<EnvironmentFreeze>();
            for (var i = 0; i < _freezes.Count; i++)
            {
                var (freeze, told) = _freezes[i];
                if (freeze.LiftedAt is null && !told && freeze.Until <= now && freeze.Until > now.AddDays(-1))
                {
                    _freezes[i] = (freeze, true);
                    ended.Add(freeze);
                    database.TellEnvironment(NotificationKind.FreezeEnded, freeze.Environment, "onward", AuditMessages.FreezeRanOut(freeze), now);
                }
            }
            return Task.FromResult<IReadOnlyList<EnvironmentFreeze>>(ended);
        }
    }

    private bool Tell(bool changed, bool began, string environment, string message, DateTimeOffset now)
    {
        if (changed)
        {
            database.AddAudit(now, "onward", began ? "freeze.window-began" : "freeze.window-ended", environment, message);
            database.TellEnvironment(began ? NotificationKind.FreezeStarted : NotificationKind.FreezeEnded, environment, "onward", message, now);
        }
        return changed;
    }

    private sealed record Window(bool Frozen, DateTimeOffset? Until, DateTimeOffset ChangedAt);
}
