using System.Collections.Concurrent;
using Onward.Core.Canaries;

namespace Onward.Core.Flags;

/// <summary>
/// The flags a running canary's requests see: the environment's, with the canary's service's set replaced by the one
/// its release ships. An OFREP evaluation whose context says it comes from the canary's version
/// (<see cref="ContextField"/>) gets these; every other request gets the environment's flags, so that a flag shipped
/// with a release changes nothing for the running version before the release reached 100 %. What runs where is read
/// again at most every second per environment.
/// </summary>
public sealed class CanaryFlags(ICanaryStore canaries, IFlagStore store, TimeProvider time)
{
    /// <summary>The evaluation context's field that names the version a request comes from.</summary>
    public const string ContextField = "onwardVersion";

    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, IReadOnlyDictionary<string, EnvironmentFlags> ByVersion)> _running = new(StringComparer.Ordinal);

    /// <summary>The flags for a request from <paramref name="context"/>'s version, when a canary of that version runs in the environment; null otherwise.</summary>
    public async Task<EnvironmentFlags?> ForAsync(string environment, IReadOnlyDictionary<string, object?> context, CancellationToken cancellationToken)
    {
        if (!context.TryGetValue(ContextField, out var named) || named is not string version)
        {
            return null;
        }
        var now = time.GetUtcNow();
        if (!_running.TryGetValue(environment, out var known) || now - known.At > Fresh)
        {
            var running = await canaries.RunningFlagsAsync(environment, cancellationToken);
            var byVersion = new Dictionary<string, EnvironmentFlags>(StringComparer.Ordinal);
            if (running.Count > 0)
            {
                var sets = await store.SetsAsync(environment, cancellationToken);
                var switches = await store.SwitchesAsync(environment, cancellationToken);
                foreach (var canary in running)
                {
                    var replaced = sets.Where(s => s.Service != canary.Service)
                        .Append(new StoredFlagSet(environment, canary.Service, canary.Document, canary.DeploymentId, canary.Version, $"canary {canary.Version}", now));
                    byVersion[canary.Version] = EnvironmentFlags.Build(environment, replaced, switches, -canary.DeploymentId);
                }
            }
            known = (now, byVersion);
            _running[environment] = known;
        }
        return known.ByVersion.GetValueOrDefault(version);
    }
}
