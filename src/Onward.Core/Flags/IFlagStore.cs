namespace Onward.Core.Flags;

/// <summary>
/// Where flag sets, switches and every flag change are kept. Each write stores the change history in the same
/// transaction, and tells the other replicas sharing the store that the environment's flags changed.
/// </summary>
public interface IFlagStore
{
    Task<IReadOnlyList<StoredFlagSet>> SetsAsync(string environment, CancellationToken cancellationToken);

    Task<IReadOnlyList<FlagSwitch>> SwitchesAsync(string environment, CancellationToken cancellationToken);

    /// <summary>Replaces the set of <paramref name="set"/>'s owner in its environment, recording <paramref name="changes"/>.</summary>
    Task SaveSetAsync(StoredFlagSet set, IReadOnlyList<FlagChange> changes, CancellationToken cancellationToken);

    Task SaveSwitchAsync(FlagSwitch flagSwitch, FlagChange change, CancellationToken cancellationToken);

    /// <summary>Removes the switch on <paramref name="key"/>; false when there was none.</summary>
    Task<bool> RemoveSwitchAsync(string environment, string key, FlagChange change, CancellationToken cancellationToken);

    /// <summary>
    /// Makes changes to <paramref name="environment"/>'s flags take turns across every replica sharing the store, until
    /// disposed, so that a change decided on what was read is never made on top of another replica's change.
    /// </summary>
    Task<IAsyncDisposable> LockAsync(string environment, CancellationToken cancellationToken);

    /// <summary>Changes newest first, of one flag or (with <paramref name="key"/> null) of every flag in the environment.</summary>
    Task<IReadOnlyList<FlagChange>> HistoryAsync(string environment, string? key, int limit, long? before, CancellationToken cancellationToken);
}
