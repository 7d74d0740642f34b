using Onward.Core.Configuration;

namespace Onward.Core.Freezes;

/// <summary>Answers whether an environment is frozen now, and sets and lifts ad-hoc freezes.</summary>
public sealed class EnvironmentFreezes(ConfigSource configuration, IFreezeStore store, TimeProvider time)
{
    private OnwardConfig config => configuration.Current;

    public async Task<ActiveFreeze?> ActiveAsync(EnvironmentConfig environment, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var adHoc = await store.ActiveAsync(environment.Name, now, cancellationToken);
        return FreezeCalendar.At(environment.Name, environment.Policy.Freeze, adHoc, now);
    }

    public async Task<IReadOnlyDictionary<string, ActiveFreeze>> ActiveAllAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var adHoc = await store.ActiveAsync(null, now, cancellationToken);
        var result = new Dictionary<string, ActiveFreeze>(StringComparer.Ordinal);
        foreach (var environment in config.Environments)
        {
            if (FreezeCalendar.At(environment.Name, environment.Policy.Freeze, adHoc.Where(f => f.Environment == environment.Name).ToList(), now) is { } freeze)
            {
                result[environment.Name] = freeze;
            }
        }
        return result;
    }

    public Task<EnvironmentFreeze> SetAsync(string environment, DateTimeOffset until, string reason, string by, CancellationToken cancellationToken) =>
        store.SetAsync(environment, until, reason, by, time.GetUtcNow(), cancellationToken);

    public Task<IReadOnlyList<EnvironmentFreeze>> LiftAsync(string environment, string by, CancellationToken cancellationToken) =>
        store.LiftAsync(environment, by, time.GetUtcNow(), cancellationToken);
}
