using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// Keeps an up-to-date picture of one workload, its ReplicaSets and its Pods by watching them, not by polling: each
/// stream lists, then watches from the list's resourceVersion, and lists again after a 410 Gone or a dropped stream.
/// </summary>
public sealed class RolloutWatch : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, JsonObject> _workload = new();
    private readonly ConcurrentDictionary<string, JsonObject> _pods = new();
    private readonly ConcurrentDictionary<string, JsonObject> _replicaSets = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _streams;
    private int _synced;

    private readonly Action? _changed;

    /// <param name="changed">Called after every change the streams see, so that the verification can look at once.</param>
    public RolloutWatch(k8s.Kubernetes client, RenderedObject workload, ILogger logger, Action? changed = null)
    {
        _changed = changed;
        Workload = workload;
        var ns = workload.Namespace!;
        var selector = string.Join(',', (workload.Body["spec"]?["selector"]?["matchLabels"] as JsonObject ?? [])
            .Select(l => $"{l.Key}={l.Value}"));
        var query = selector.Length == 0 ? "" : "?labelSelector=" + Uri.EscapeDataString(selector);
        _streams =
        [
            Task.Run(() => StreamAsync(client, $"{workload.Kind.ApiPath}/namespaces/{ns}/{workload.Kind.Plural}?fieldSelector=" + Uri.EscapeDataString("metadata.name=" + workload.Name),
                _workload, o => Name(o) == workload.Name, workload.Kind.Kind, logger)),
            Task.Run(() => StreamAsync(client, $"/api/v1/namespaces/{ns}/pods{query}", _pods, _ => true, "Pod", logger)),
            Task.Run(() => StreamAsync(client, $"/apis/apps/v1/namespaces/{ns}/replicasets{query}", _replicaSets, _ => true, "ReplicaSet", logger)),
        ];
    }

    public RenderedObject Workload { get; }

    /// <summary>Whether every stream has listed at least once.</summary>
    public bool Synced => Volatile.Read(ref _synced) >= 3;

    /// <summary>The workload with its ReplicaSets and Pods, as a List for <c>WorkloadHealth</c>.</summary>
    public JsonObject Snapshot() => new()
    {
        ["kind"] = "List",
        ["items"] = new JsonArray(_workload.Values.Concat(_replicaSets.Values).Concat(_pods.Values).Select(o => (JsonNode)o.DeepClone()).ToArray()),
    };

    public IReadOnlyList<JsonObject> Pods => _pods.Values.ToList();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_streams);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private async Task StreamAsync(k8s.Kubernetes client, string path, ConcurrentDictionary<string, JsonObject> into, Func<JsonObject, bool> keep, string kind, ILogger logger)
    {
        var first = true;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var list = await KubernetesRequests.GetAsync(client, path, _stop.Token);
                if (list is null)
                {
                    await Task.Delay(200, _stop.Token);
                    continue;
                }
                into.Clear();
                foreach (var item in (list["items"] as JsonArray ?? []).OfType<JsonObject>().Where(keep))
                {
                    item["kind"] = kind;
                    into[Name(item)] = (JsonObject)item.DeepClone();
                }
                if (first)
                {
                    Interlocked.Increment(ref _synced);
                    first = false;
                }
                _changed?.Invoke();
                var version = (list["metadata"]?["resourceVersion"] as JsonValue)?.ToString() ?? "0";
                await foreach (var e in KubernetesRequests.WatchAsync(client, path, version, _stop.Token))
                {
                    var type = (e["type"] as JsonValue)?.ToString();
                    if (type == "ERROR")
                    {
                        // 410 Gone: the history moved past our resourceVersion; list again.
                        break;
                    }
                    if (e["object"] is not JsonObject item || type == "BOOKMARK" || !keep(item))
                    {
                        continue;
                    }
                    item["kind"] = kind;
                    if (type == "DELETED")
                    {
                        into.TryRemove(Name(item), out _);
                    }
                    else
                    {
                        into[Name(item)] = (JsonObject)item.DeepClone();
                    }
                    _changed?.Invoke();
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or System.Text.Json.JsonException)
            {
                logger.LogDebug("Watch of {Path} broke off ({Error}); listing again", path, e.Message);
                await Task.Delay(100, _stop.Token);
            }
        }
    }

    private static string Name(JsonObject o) => (o["metadata"]?["name"] as JsonValue)?.ToString() ?? "";
}
