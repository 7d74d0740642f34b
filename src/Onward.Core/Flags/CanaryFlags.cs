using System.Collections.Concurrent;
using Onward.Core.Canaries;

namespace Onward.Core.Flags;

/// <summary>
/// The flags a running canary's requests see: the environment's, with the canary's service's set replaced by the one
/// its release ships. An OFREP evaluation whose context says it comes from the canary's version
/// (<see cref="ContextField"/>, and <see cref="ServiceField"/> where two services' canaries have the same version) gets
/// these; every other request gets the environment's flags, so that a flag shipped with a release changes nothing for
/// the running version before the release reached 100 %. What runs where is read again at most every second per
/// environment.
/// </summary>
public sealed class CanaryFlags(ICanaryStore canaries, IFlagStore store, TimeProvider time)
{
    /// <summary>The evaluation context's field that names the version a request comes from.</summary>
    public const string ContextField = "onwardVersion";

    /// <summary>The evaluation context's field that names the service a request comes from.</summary>
    public const string ServiceField = "onwardService";

    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, IReadOnlyList<(string Service, string Version, EnvironmentFlags Flags)> Canaries)> _running = new(StringComparer.Ordinal);

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
            var built = new List<(string, string, EnvironmentFlags)>();
            if (running.Count > 0)
            {
                var sets = await store.SetsAsync(environment, cancellationToken);
                var switches = await store.SwitchesAsync(environment, cancellationToken);
                foreach (var canary in running)
                {
                    var replaced = sets.Where(s => s.Service != canary.Service)
                        .Append(new StoredFlagSet(environment, canary.Service, canary.Document, canary.DeploymentId, canary.Version, $"canary {canary.Version}", now));
                    built.Add((canary.Service, canary.Version, EnvironmentFlags.Build(environment, replaced, switches, -canary.DeploymentId)));
                }
            }
            known = (now, built);
            _running[environment] = known;
        }
        var service = context.TryGetValue(ServiceField, out var s) ? s as string : null;
        var matching = known.Canaries.Where(c => c.Version == version && (service is null || c.Service == service)).ToList();
        // Two services' canaries of the same version, and a request that does not say which: the environment's flags.
        return matching.Count == 1 ? matching[0].Flags : null;
    }
}
