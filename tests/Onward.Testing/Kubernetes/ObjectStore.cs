using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Onward.Testing.Kubernetes;

/// <summary>
/// The test API server's etcd: objects by type, namespace and name, one resourceVersion counter for all of them
/// (as etcd's revision), a bounded history of changes for watches, and the watchers themselves. A watch that asks
/// for a resourceVersion older than the history holds gets 410 Gone, as from a compacted etcd.
/// </summary>
public sealed class ObjectStore
{
    private readonly object _gate = new();
    private readonly Dictionary<(ResourceType Type, string? Namespace, string Name), JsonObject> _objects = [];
    private readonly LinkedList<WatchEvent> _history = new();
    private readonly List<(ResourceType Type, string? Namespace, Channel<WatchEvent> Channel)> _watchers = [];
    private long _revision = 1;

    /// <summary>How many changes are kept for watches to resume from.</summary>
    public int HistoryLimit { get; set; } = 10_000;

    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    /// <summary>The oldest resourceVersion a watch can still start after.</summary>
    public long OldestResumable
    {
        get
        {
            lock (_gate)
            {
                return _history.First?.Value.ResourceVersion - 1 ?? _revision;
            }
        }
    }

    public JsonObject? Get(ResourceType type, string? ns, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue((type, ns, name), out var o) ? (JsonObject)o.DeepClone() : null;
        }
    }

    public (List<JsonObject> Items, long ResourceVersion) List(ResourceType type, string? ns, Func<JsonObject, bool>? filter = null)
    {
        lock (_gate)
        {
            var items = _objects.Where(e => e.Key.Type == type && (ns is null || e.Key.Namespace == ns))
                .Select(e => e.Value)
                .Where(o => filter?.Invoke(o) ?? true)
                .OrderBy(o => o["metadata"]!["name"]!.GetValue<string>(), StringComparer.Ordinal)
                .Select(o => (JsonObject)o.DeepClone())
                .ToList();
            return (items, _revision);
        }
    }

    /// <summary>Every object, of any type, that <paramref name="filter"/> picks (for garbage collection and namespace deletion).</summary>
    public List<(ResourceType Type, string? Namespace, JsonObject Item)> Find(Func<ResourceType, string?, JsonObject, bool> filter)
    {
        lock (_gate)
        {
            return _objects.Where(e => filter(e.Key.Type, e.Key.Namespace, e.Value))
                .Select(e => (e.Key.Type, e.Key.Namespace, (JsonObject)e.Value.DeepClone()))
                .ToList();
        }
    }

    /// <summary>
    /// Changes an object under the store's lock: <paramref name="change"/> gets the current object (null when absent)
    /// and returns the new one (null to delete). The store stamps resourceVersion and sends the watch event.
    /// </summary>
    public JsonObject? Update(ResourceType type, string? ns, string name, Func<JsonObject?, JsonObject?> change)
    {
        lock (_gate)
        {
            var key = (type, ns, name);
            var existing = _objects.TryGetValue(key, out var o) ? (JsonObject)o.DeepClone() : null;
            var updated = change(existing is null ? null : (JsonObject)existing.DeepClone());
            if (updated is null)
            {
                if (existing is null)
                {
                    return null;
                }
                _objects.Remove(key);
                existing["metadata"]!["resourceVersion"] = (++_revision).ToString();
                Publish(new WatchEvent(_revision, type, ns, "DELETED", existing));
                return null;
            }
            if (existing is not null && JsonNode.DeepEquals(Without(existing), Without(updated)))
            {
                // Nothing changed: no new resourceVersion and no event, as the real API server does for a no-op.
                return existing;
            }
            updated["metadata"]!["resourceVersion"] = (++_revision).ToString();
            _objects[key] = (JsonObject)updated.DeepClone();
            Publish(new WatchEvent(_revision, type, ns, existing is null ? "ADDED" : "MODIFIED", (JsonObject)updated.DeepClone(), existing));
            return updated;
        }
    }

    /// <summary>Starts a watch after <paramref name="since"/>: the events after it that history holds, then live ones. Null when too old (410).</summary>
    public ChannelReader<WatchEvent>? Watch(ResourceType type, string? ns, long since)
    {
        lock (_gate)
        {
            if (since < OldestResumableLocked())
            {
                return null;
            }
            var channel = Channel.CreateUnbounded<WatchEvent>();
            foreach (var e in _history.Where(e => e.ResourceVersion > since && e.Type == type && (ns is null || e.Namespace == ns)))
            {
                channel.Writer.TryWrite(e with { Item = (JsonObject)e.Item.DeepClone() });
            }
            _watchers.Add((type, ns, channel));
            return channel.Reader;
        }
    }

    public void StopWatch(ChannelReader<WatchEvent> reader)
    {
        lock (_gate)
        {
            _watchers.RemoveAll(w => w.Channel.Reader == reader);
        }
    }

    /// <summary>How many watch streams are open now.</summary>
    public int OpenWatches
    {
        get
        {
            lock (_gate)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>Ends every open watch stream, as an API server restart or a load balancer timeout does.</summary>
    public void DropWatches()
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Channel.Writer.TryComplete();
            }
            _watchers.Clear();
        }
    }

    /// <summary>Forgets history up to now, so that a watch resuming from before gets 410 Gone.</summary>
    public void Compact()
    {
        lock (_gate)
        {
            _history.Clear();
        }
    }

    private long OldestResumableLocked() => _history.First?.Value.ResourceVersion - 1 ?? _revision;

    private void Publish(WatchEvent e)
    {
        _history.AddLast(e);
        while (_history.Count > HistoryLimit)
        {
            _history.RemoveFirst();
        }
        foreach (var watcher in _watchers.Where(w => w.Type == e.Type && (w.Namespace is null || w.Namespace == e.Namespace)))
        {
            watcher.Channel.Writer.TryWrite(e with { Item = (JsonObject)e.Item.DeepClone() });
        }
    }

    private static JsonObject Without(JsonObject o)
    {
        var copy = (JsonObject)o.DeepClone();
        copy["metadata"]?.AsObject().Remove("resourceVersion");
        copy["metadata"]?.AsObject().Remove("managedFields");
        return copy;
    }
}
