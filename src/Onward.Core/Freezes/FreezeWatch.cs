using Onward.Core.Configuration;

namespace Onward.Core.Freezes;

/// <summary>
/// Tells when an environment's recurring freeze window begins and ends, and when an ad-hoc freeze runs out by itself,
/// as <c>freeze.started</c> and <c>freeze.ended</c> events (setting and lifting a freeze are told as they are made).
/// Each change is told once, whichever replica sees it first. A window removed from onward.yaml (or its environment) while
/// in force is told as ended at once.
/// </summary>
public sealed class FreezeWatch(ConfigSource configuration, IFreezeStore store, TimeProvider time)
{
    private OnwardConfig config => configuration.Current;

    /// <summary>Looks once; answers how many changes this call told.</summary>
    public async Task<int> LookAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var told = 0;
        var frozen = await store.WindowsFrozenAsync(cancellationToken);
        foreach (var environment in config.Environments)
        {
            var windows = environment.Policy.Freeze;
            var window = windows.Count == 0 ? null : FreezeCalendar.At(environment.Name, windows, [], now);
            var wasFrozen = frozen.TryGetValue(environment.Name, out var began);
            if ((window is not null) == wasFrozen)
            {
                continue;
            }
            if (window is null && (windows.Count == 0 || FreezeCalendar.At(environment.Name, windows, [], began) is null))
            {
                // No window of onward.yaml covers the moment it began: it was removed or moved, and ends now rather than at
                // its recorded end. (A replica whose clock lags behind sees the same window at that moment, and waits.)
                told += await store.EndRemovedWindowAsync(environment.Name, began,
                    $"the freeze window of {environment.Name} is no longer in onward.yaml; deployments go ahead", now, cancellationToken) ? 1 : 0;
                continue;
            }
            var message = window is not null
                ? $"{window.Why}; deployments wait until {window.Until.ToOffset(TimeSpan.Zero):yyyy-MM-dd HH:mm} UTC"
                : $"the freeze window of {environment.Name} ended; deployments go ahead";
            if (await store.RecordWindowAsync(environment.Name, window, message, now, cancellationToken))
            {
                told++;
            }
        }
        foreach (var (name, began) in frozen)
        {
            if (!config.Environments.Any(e => e.Name == name))
            {
                told += await store.EndRemovedWindowAsync(name, began, $"{name} is no longer in onward.yaml; its freeze window ended", now, cancellationToken) ? 1 : 0;
            }
        }
        return told + (await store.TellRunOutAsync(now, cancellationToken)).Count;
    }
}
