using Onward.Contracts.Notifications;
using Onward.Core.Audit;
using Onward.Core.Flags;
using Onward.Core.Notifications;

namespace Onward.Testing.Fakes;

/// <summary>
/// Flag sets, switches and their history in memory, with the store's rules: a set per environment and owner (a
/// service, or the environment itself), a switch per flag, and each change in the flag's history, the audit trail and
/// the notifications.
/// </summary>
public sealed class FakeFlagStore(FakeDatabase database) : IFlagStore
{
    private readonly Dictionary<(string Environment, string? Service), StoredFlagSet> _sets = [];
    private readonly Dictionary<(string Environment, string Key), FlagSwitch> _switches = [];
    private readonly List<FlagChange> _changes = [];
    private readonly Dictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public FakeFlagStore()
        : this(new FakeDatabase())
    {
    }

    public Task<IReadOnlyList<StoredFlagSet>> SetsAsync(string environment, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult<IReadOnlyList<StoredFlagSet>>(_sets.Values.Where(s => s.Environment == environment).ToList());
        }
    }

    public Task<IReadOnlyList<FlagSwitch>> SwitchesAsync(string environment, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult<IReadOnlyList<FlagSwitch>>(_switches.Values.Where(s => s.Environment == environment).OrderBy(s => s.Key, StringComparer.Ordinal).ToList());
        }
    }

    public Task SaveSetAsync(StoredFlagSet set, IReadOnlyList<FlagChange> changes, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            _sets[(set.Environment, set.Service)] = set;
            foreach (var change in changes)
            {
                Record(change);
            }
        }
        return Task.CompletedTask;
    }

    public Task SaveSwitchAsync(FlagSwitch flagSwitch, FlagChange change, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            _switches[(flagSwitch.Environment, flagSwitch.Key)] = flagSwitch;
            Record(change);
        }
        return Task.CompletedTask;
    }

    public Task<bool> RemoveSwitchAsync(string environment, string key, FlagChange change, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            if (!_switches.Remove((environment, key)))
            {
                return Task.FromResult(false);
            }
            Record(change);
            return Task.FromResult(true);
        }
    }

    public async Task<IAsyncDisposable> LockAsync(string environment, CancellationToken cancellationToken)
    {
        SemaphoreSlim turn;
        lock (_locks)
        {
            turn = _locks.TryGetValue(environment, out var known) ? known : _locks[environment] = new SemaphoreSlim(1, 1);
        }
        await turn.WaitAsync(cancellationToken);
        return new Turn(turn);
    }

    public Task<IReadOnlyList<FlagChange>> HistoryAsync(string environment, string? key, int limit, long? before, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult<IReadOnlyList<FlagChange>>(_changes
                .Where(c => c.Environment == environment && (key is null || c.Key == key) && (before is null || c.Id < before))
                .OrderByDescending(c => c.Id).Take(limit).ToList());
        }
    }

    private void Record(FlagChange change)
    {
        var (action, message) = AuditMessages.FlagChanged(change);
        database.AddAudit(change.At, change.Actor, action, change.Environment, message);
        database.TellEnvironment(NotificationKind.FlagChanged, change.Environment, change.Actor, $"{message} in {change.Environment}", change.At);
        _changes.Add(change with { Id = _changes.Count + 1 });
    }

    private sealed class Turn(SemaphoreSlim turn) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            turn.Release();
            return ValueTask.CompletedTask;
        }
    }
}
