using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// One cluster's picture of Onward's objects, shared by every deployment verifying there and by drift detection: one
/// watch per kind, across the whole cluster where the credentials may list it (else one per namespace), selecting the
/// objects that carry Onward's environment label (the Pods and ReplicaSets of its workloads carry it too). Every change
/// is passed to <see cref="Changed"/>.
/// </summary>
public sealed class ClusterCache(k8s.Kubernetes client, ILogger logger) : IAsyncDisposable
{
    private static readonly string Selector = ManifestRenderer.EnvironmentLabel;
    private readonly ConcurrentDictionary<(string Group, string Plural, string? Namespace), ResourceWatch> _watches = new();
    private readonly ConcurrentDictionary<(string Group, string Plural), ConcurrentDictionary<string, bool>> _wanted = new();
    private readonly ConcurrentDictionary<(string Group, string Plural), bool> _namespacedOnly = new();
    private readonly object _gate = new();
    private bool _disposed;

    /// <summary>An object changed (or, with <c>true</c>, was deleted).</summary>
    public event Action<ResourceMapping, JsonObject, bool>? Changed;

    /// <summary>How many watch streams are open.</summary>
    public int Watches => _watches.Count;

    /// <summary>How many objects the cache holds.</summary>
    public int Objects => _watches.Values.Sum(w => w.Count);

    /// <summary>Makes sure objects of <paramref name="kind"/> in <paramref name="ns"/> are watched; cheap when they are.</summary>
    public void Watch(ResourceMapping kind, string? ns)
    {
        if (kind.Namespaced && ns is not null)
        {
            _wanted.GetOrAdd((kind.Group, kind.Plural), _ => new())[ns] = true;
        }
        var key = (kind.Group, kind.Plural, kind.Namespaced && _namespacedOnly.ContainsKey((kind.Group, kind.Plural)) ? ns : null);
        if (_watches.ContainsKey(key))
        {
            return;
        }
        lock (_gate)
        {
            if (_disposed || _watches.ContainsKey(key))
            {
                return;
            }
            _watches[key] = new ResourceWatch(client, kind, key.Item3, Selector, logger,
                (item, deleted) => Changed?.Invoke(kind, item, deleted),
                status => Refused(kind, key, status));
        }
    }

    /// <summary>Whether the watch that covers <paramref name="kind"/> in <paramref name="ns"/> has listed.</summary>
    public bool Synced(ResourceMapping kind, string? ns) => Covering(kind, ns)?.Synced == true;

    public JsonObject? Get(ResourceMapping kind, string? ns, string name) => Covering(kind, ns)?.Get(kind.Namespaced ? ns : null, name);

    public IEnumerable<JsonObject> List(ResourceMapping kind, string? ns) => Covering(kind, ns)?.Items(kind.Namespaced ? ns : null) ?? [];

    /// <summary>Closes every watch (the cluster is another replica's to watch now); the next <see cref="Watch"/> opens them again.</summary>
    public async Task CloseAllAsync()
    {
        List<ResourceWatch> watches;
        lock (_gate)
        {
            watches = [.. _watches.Values];
            _watches.Clear();
        }
        foreach (var watch in watches)
        {
            await watch.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
        }
        await CloseAllAsync();
    }

    private ResourceWatch? Covering(ResourceMapping kind, string? ns) =>
        _watches.GetValueOrDefault((kind.Group, kind.Plural, null)) is { } wide && (wide.Synced || !kind.Namespaced || ns is null)
            ? wide
            : kind.Namespaced && ns is not null ? _watches.GetValueOrDefault((kind.Group, kind.Plural, ns)) : null;

    /// <summary>Listing across the cluster was refused: the kind is watched per namespace from now on.</summary>
    private void Refused(ResourceMapping kind, (string, string, string?) key, int status)
    {
        if (!kind.Namespaced || key.Item3 is not null)
        {
            logger.LogWarning("Onward may not watch {Kind} ({Status}); its verification and drift detection cannot see them", kind.Kind, status);
            return;
        }
        _namespacedOnly[(kind.Group, kind.Plural)] = true;
        if (_watches.TryRemove(key, out var refused))
        {
            _ = refused.DisposeAsync().AsTask();
        }
        foreach (var ns in _wanted.GetValueOrDefault((kind.Group, kind.Plural))?.Keys ?? [])
        {
            Watch(kind, ns);
        }
    }
}
