using Onward.Core.Configuration;

namespace Onward.Core.Freezes;

/// <summary>
/// Tells when an environment's recurring freeze window begins and ends, and when an ad-hoc freeze runs out by itself,
/// as <c>freeze.started</c> and <c>freeze.ended</c> events (setting and lifting a freeze are told as they are made).
/// Each change is told once, whichever replica sees it first.
/// </summary>
public sealed class FreezeWatch(OnwardConfig config, IFreezeStore store, TimeProvider time)
{
    /// <summary>Looks once; answers how many changes this call told.</summary>
    public async Task<int> LookAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var told = 0;
        var frozen = await store.WindowsFrozenAsync(cancellationToken);
        foreach (var environment in config.Environments)
        {
            var window = environment.Policy.Freeze.Count == 0 ? null : FreezeCalendar.At(environment.Name, environment.Policy.Freeze, [], now);
            if ((window is not null) == frozen.Contains(environment.Name))
            {
                continue;
            }
            var message = window is not null
                ? $"{window.Why}; deployments wait until {window.Until.ToOffset(TimeSpan.Zero):yyyy-MM-dd HH:mm} UTC"
                : $"the freeze window of {environment.Name} ended; deployments go ahead";
            if (await store.RecordWindowAsync(environment.Name, window?.Until, message, now, cancellationToken))
            {
                told++;
            }
        }
        return told + (await store.TellRunOutAsync(now, cancellationToken)).Count;
    }
}
