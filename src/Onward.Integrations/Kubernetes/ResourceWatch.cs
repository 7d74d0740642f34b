using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// One list-and-watch stream of one kind (in one namespace or across the cluster) with a label selector, keeping the
/// objects it sees (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes): it
/// lists, watches from the list's resourceVersion, and lists again after a 410 Gone or a dropped stream. Objects are
/// kept without their managedFields, which only the API server needs.
/// </summary>
public sealed class ResourceWatch : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string? Namespace, string Name), JsonObject> _items = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _stream;
    private readonly Action<JsonObject, bool> _changed;
    private readonly Action<int> _refused;
    private volatile bool _synced;

    /// <param name="changed">Called with each object that changed, and whether it was deleted.</param>
    /// <param name="refused">Called, and the stream ends, when the API server refuses the list for good (403: not allowed at this scope).</param>
    public ResourceWatch(k8s.Kubernetes client, ResourceMapping kind, string? ns, string selector, ILogger logger, Action<JsonObject, bool> changed, Action<int> refused)
    {
        Kind = kind;
        Namespace = ns;
        _changed = changed;
        _refused = refused;
        var path = kind.CollectionPath(ns, ("labelSelector", selector));
        _stream = Task.Run(() => StreamAsync(client, path, logger));
    }

    public ResourceMapping Kind { get; }

    /// <summary>The namespace watched, or null for the whole cluster.</summary>
    public string? Namespace { get; }

    /// <summary>Whether the stream has listed at least once, so that what it holds is the whole picture.</summary>
    public bool Synced => _synced;

    public JsonObject? Get(string? ns, string name) => _items.GetValueOrDefault((ns, name));

    public IEnumerable<JsonObject> Items(string? ns) => ns is null ? _items.Values : _items.Where(i => i.Key.Namespace == ns).Select(i => i.Value);

    public int Count => _items.Count;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _stream;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private async Task StreamAsync(k8s.Kubernetes client, string path, ILogger logger)
    {
        var pause = TimeSpan.FromMilliseconds(100);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var (status, list, message) = await KubernetesRequests.ReadAsync(client, path, _stop.Token);
                if (status is 401 or 403)
                {
                    logger.LogInformation("Listing {Path} was refused ({Status} {Message})", path, status, message);
                    _refused(status);
                    return;
                }
                if (list is null)
                {
                    logger.LogDebug("Listing {Path} failed ({Status} {Message}); trying again", path, status, message);
                    await Task.Delay(pause, _stop.Token);
                    pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 5000));
                    continue;
                }
                pause = TimeSpan.FromMilliseconds(100);
                var fresh = (list["items"] as JsonArray ?? []).OfType<JsonObject>().Select(Trimmed).ToDictionary(Key);
                foreach (var gone in _items.Keys.Except(fresh.Keys).ToList())
                {
                    if (_items.TryRemove(gone, out var removed))
                    {
                        _changed(removed, true);
                    }
                }
                foreach (var (key, item) in fresh)
                {
                    _items[key] = item;
                }
                _synced = true;
                foreach (var item in fresh.Values)
                {
                    _changed(item, false);
                }
                var version = (list["metadata"]?["resourceVersion"] as JsonValue)?.ToString() ?? "0";
                await foreach (var e in KubernetesRequests.WatchAsync(client, path, version, _stop.Token))
                {
                    var type = (e["type"] as JsonValue)?.ToString();
                    if (type == "ERROR")
                    {
                        // 410 Gone: the history moved past our resourceVersion; list again.
                        break;
                    }
                    if (e["object"] is not JsonObject item || type == "BOOKMARK")
                    {
                        continue;
                    }
                    var kept = Trimmed(item);
                    if (type == "DELETED")
                    {
                        _items.TryRemove(Key(kept), out _);
                    }
                    else
                    {
                        _items[Key(kept)] = kept;
                    }
                    _changed(kept, type == "DELETED");
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or System.Text.Json.JsonException)
            {
                logger.LogDebug("Watch of {Path} broke off ({Error}); listing again", path, e.Message);
                await Task.Delay(pause, _stop.Token);
            }
        }
    }

    private JsonObject Trimmed(JsonObject item)
    {
        item["kind"] = Kind.Kind;
        item["apiVersion"] = Kind.ApiVersion;
        (item["metadata"] as JsonObject)?.Remove("managedFields");
        (item["metadata"]?["annotations"] as JsonObject)?.Remove("kubectl.kubernetes.io/last-applied-configuration");
        return item;
    }

    private static (string? Namespace, string Name) Key(JsonObject item) =>
        ((item["metadata"]?["namespace"] as JsonValue)?.ToString(), (item["metadata"]?["name"] as JsonValue)?.ToString() ?? "");
}
