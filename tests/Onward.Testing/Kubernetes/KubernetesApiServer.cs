using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Onward.Testing.Kubernetes;

/// <summary>
/// A Kubernetes API server on loopback that KubernetesClient talks to unchanged, for the machines where no real one
/// can run. It keeps to the API's behaviour where Onward depends on it (https://kubernetes.io/docs/reference/using-api/api-concepts/):
/// namespaced CRUD, server-side apply (<c>application/apply-patch+yaml</c>, field manager, conflicts unless forced),
/// merge patches, <c>resourceVersion</c> on everything with optimistic concurrency on update, <c>generation</c>
/// bumped by spec changes only, <c>status</c> as a subresource, list and watch with label selectors, bookmarks, and
/// 410 Gone for a watch from a compacted resourceVersion.
/// </summary>
public sealed class KubernetesApiServer : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private static readonly string[] CoreVersions = ["v1"];
    private readonly WebApplication _app;

    private KubernetesApiServer(WebApplication app, ObjectStore store, int port)
    {
        _app = app;
        Store = store;
        Port = port;
    }

    /// <summary>The simulated controllers and kubelet, when started with <c>simulate</c>.</summary>
    public ClusterSimulator? Cluster { get; private set; }

    public ObjectStore Store { get; }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>How often an idle watch with <c>allowWatchBookmarks</c> gets a BOOKMARK; this server's own, so that parallel tests do not share it.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(1);

    private readonly Queue<(string Method, int Status)> _faults = new();

    /// <summary>
    /// The next <paramref name="count"/> requests with <paramref name="method"/> are answered <paramref name="status"/>
    /// with a Status object, as an overloaded or refusing API server would, before anything is changed.
    /// </summary>
    public void FailNext(string method, int count, int status)
    {
        lock (_faults)
        {
            for (var i = 0; i < count; i++)
            {
                _faults.Enqueue((method, status));
            }
        }
    }

    /// <param name="simulate">Run the simulated controllers and kubelet, so that workloads roll out.</param>
    /// <param name="registries">Loopback registries (host:port) the kubelet pulls from over plain HTTP.</param>
    public static async Task<KubernetesApiServer> StartAsync(bool simulate = false, IReadOnlyList<string>? registries = null)
    {
        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var store = new ObjectStore();
        var server = new KubernetesApiServer(app, store, port);
        app.MapGet("/api", () => Results.Json(new { kind = "APIVersions", versions = CoreVersions }));
        app.MapGet("/apis", () => Results.Json(new
        {
            kind = "APIGroupList",
            apiVersion = "v1",
            groups = ResourceType.Known.Where(t => t.Group.Length > 0).Select(t => t.Group).Distinct()
                .Select(g => new { name = g, versions = new[] { new { groupVersion = $"{g}/v1", version = "v1" } }, preferredVersion = new { groupVersion = $"{g}/v1", version = "v1" } }),
        }));
        app.MapGet("/version", () => Results.Json(new { major = "1", minor = "34", gitVersion = "v1.34.0-onward-test" }));
        app.Map("/api/{version}/{**path}", (HttpContext http, string version, string path) => server.HandleAsync(http, "", version, path));
        app.Map("/apis/{group}/{version}/{**path}", (HttpContext http, string group, string version, string path) => server.HandleAsync(http, group, version, path));
        await app.StartAsync();
        if (simulate)
        {
            server.Cluster = new ClusterSimulator(store, registries ?? []);
        }
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
        Store.DropWatches();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http, string group, string version, string path)
    {
        try
        {
            await RouteAsync(http, group, version, path);
        }
        catch (Exception e) when (e is not OperationCanceledException && !http.Response.HasStarted)
        {
            // A fault of the test server names itself instead of hiding behind an empty 500.
            await StatusAsync(http, 500, "InternalError", $"test API server: {e}");
        }
    }

    private async Task RouteAsync(HttpContext http, string group, string version, string path)
    {
        int? fault = null;
        lock (_faults)
        {
            if (_faults.TryPeek(out var next) && next.Method == http.Request.Method)
            {
                fault = _faults.Dequeue().Status;
            }
        }
        if (fault is { } status)
        {
            await StatusAsync(http, status, status >= 500 ? "ServiceUnavailable" : "Forbidden", $"test API server: a fault made to order ({status})");
            return;
        }
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string? ns = null;
        if (parts.Length >= 2 && parts[0] == "namespaces" && parts.Length > 2)
        {
            ns = parts[1];
            parts = parts[2..];
        }
        var type = ResourceType.Known.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == parts.ElementAtOrDefault(0));
        if (type is null)
        {
            await StatusAsync(http, 404, "NotFound", $"the server could not find the requested resource ({path})");
            return;
        }
        var name = parts.ElementAtOrDefault(1);
        var subresource = parts.ElementAtOrDefault(2);
        var method = http.Request.Method;
        switch (method)
        {
            case "GET" when name is null && http.Request.Query["watch"] is { Count: > 0 } w && w[0] is "true" or "1":
                await WatchAsync(http, type, ns);
                return;
            case "GET" when name is null:
                await ListAsync(http, type, ns);
                return;
            case "GET" when subresource == "log" && type.Plural == "pods":
                await LogAsync(http, ns!, name);
                return;
            case "GET":
                await GetAsync(http, type, ns, name);
                return;
            case "POST" when name is null:
                await CreateAsync(http, type, ns);
                return;
            case "PUT" when name is not null:
                await ReplaceAsync(http, type, ns, name, subresource == "status");
                return;
            case "PATCH" when name is not null:
                await PatchAsync(http, type, ns, name, subresource == "status");
                return;
            case "DELETE" when name is not null:
                await DeleteAsync(http, type, ns, name);
                return;
            default:
                await StatusAsync(http, 405, "MethodNotAllowed", $"{method} is not supported on {path}");
                return;
        }
    }

    private async Task GetAsync(HttpContext http, ResourceType type, string? ns, string name)
    {
        if (Store.Get(type, ns, name) is { } found)
        {
            await WriteAsync(http, 200, found);
            return;
        }
        await NotFoundAsync(http, type, name);
    }

    private async Task ListAsync(HttpContext http, ResourceType type, string? ns)
    {
        var selector = Selector(http.Request.Query["labelSelector"]);
        var (items, revision) = Store.List(type, ns, selector);
        var list = new JsonObject
        {
            ["kind"] = type.Kind + "List",
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = revision.ToString() },
            ["items"] = new JsonArray(items.Select(i => (JsonNode)Stamped(i, type)).ToArray()),
        };
        await WriteAsync(http, 200, list);
    }

    private async Task WatchAsync(HttpContext http, ResourceType type, string? ns)
    {
        var selector = Selector(http.Request.Query["labelSelector"]);
        var bookmarks = http.Request.Query["allowWatchBookmarks"] is { Count: > 0 } b && b[0] == "true";
        var requested = http.Request.Query["resourceVersion"].ToString();
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        var cancel = http.RequestAborted;
        long since;
        var initial = new List<JsonObject>();
        if (string.IsNullOrEmpty(requested) || requested == "0")
        {
            // Without a resourceVersion a watch starts with the current state as ADDED events (API concepts, "Efficient detection of changes").
            (initial, since) = Store.List(type, ns, selector);
        }
        else
        {
            since = long.Parse(requested, System.Globalization.CultureInfo.InvariantCulture);
        }
        var reader = Store.Watch(type, ns, since);
        if (reader is null)
        {
            await LineAsync(http, new JsonObject
            {
                ["type"] = "ERROR",
                ["object"] = Status(410, "Expired", $"too old resource version: {since} ({Store.OldestResumable})"),
            }, cancel);
            return;
        }
        try
        {
            foreach (var item in initial)
            {
                await LineAsync(http, new JsonObject { ["type"] = "ADDED", ["object"] = Stamped(item, type) }, cancel);
            }
            await http.Response.Body.FlushAsync(cancel);
            var timeout = http.Request.Query["timeoutSeconds"] is { Count: > 0 } t ? TimeSpan.FromSeconds(double.Parse(t[0]!, System.Globalization.CultureInfo.InvariantCulture)) : TimeSpan.FromMinutes(30);
            using var ends = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            ends.CancelAfter(timeout);
            var last = since;
            while (!ends.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ends.Token);
                wait.CancelAfter(BookmarkInterval);
                try
                {
                    if (!await reader.WaitToReadAsync(wait.Token))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException) when (!ends.IsCancellationRequested)
                {
                    if (bookmarks)
                    {
                        await LineAsync(http, new JsonObject
                        {
                            ["type"] = "BOOKMARK",
                            ["object"] = new JsonObject { ["kind"] = type.Kind, ["apiVersion"] = type.ApiVersion, ["metadata"] = new JsonObject { ["resourceVersion"] = Store.Revision.ToString() } },
                        }, ends.Token);
                    }
                    continue;
                }
                while (reader.TryRead(out var e))
                {
                    last = e.ResourceVersion;
                    if (selector is null || selector(e.Item))
                    {
                        await LineAsync(http, new JsonObject { ["type"] = e.Kind, ["object"] = Stamped(e.Item, type) }, ends.Token);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
        finally
        {
            Store.StopWatch(reader);
        }
    }

    private async Task CreateAsync(HttpContext http, ResourceType type, string? ns)
    {
        var body = await ReadAsync(http);
        if (body is null)
        {
            return;
        }
        var name = body["metadata"]?["name"]?.GetValue<string>();
        if (string.IsNullOrEmpty(name))
        {
            await StatusAsync(http, 422, "Invalid", $"{type.Kind} is invalid: metadata.name: Required value");
            return;
        }
        var exists = false;
        var created = Store.Update(type, ns, name, current =>
        {
            if (current is not null)
            {
                exists = true;
                return current;
            }
            return Fresh(body, type, ns, name);
        });
        if (exists)
        {
            await StatusAsync(http, 409, "AlreadyExists", $"{type.Plural} \"{name}\" already exists");
            return;
        }
        await WriteAsync(http, 201, created!);
    }

    private async Task ReplaceAsync(HttpContext http, ResourceType type, string? ns, string name, bool status)
    {
        var body = await ReadAsync(http);
        if (body is null)
        {
            return;
        }
        string? problem = null;
        var updated = Store.Update(type, ns, name, current =>
        {
            if (current is null)
            {
                problem = "404";
                return null;
            }
            var expected = body["metadata"]?["resourceVersion"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(expected) && expected != current["metadata"]!["resourceVersion"]!.GetValue<string>())
            {
                problem = "409";
                return current;
            }
            return status ? WithStatus(current, body) : Evolve(current, body, type);
        });
        await AnswerAsync(http, type, name, problem, updated);
    }

    private async Task PatchAsync(HttpContext http, ResourceType type, string? ns, string name, bool status)
    {
        var contentType = http.Request.ContentType ?? "";
        var body = await ReadAsync(http);
        if (body is null)
        {
            return;
        }
        var apply = contentType.StartsWith("application/apply-patch", StringComparison.Ordinal);
        var manager = http.Request.Query["fieldManager"].ToString();
        var force = http.Request.Query["force"].ToString() == "true";
        if (apply && manager.Length == 0)
        {
            await StatusAsync(http, 400, "BadRequest", "PATCH with apply-patch requires a fieldManager");
            return;
        }
        string? problem = null;
        var updated = Store.Update(type, ns, name, current =>
        {
            if (current is null)
            {
                if (!apply)
                {
                    problem = "404";
                    return null;
                }
                return Managed(Fresh(body, type, ns, name), manager);
            }
            if (apply && !force && Managers(current).Any(m => m != manager) && Conflicts(current, body))
            {
                problem = "conflict:" + string.Join(",", Managers(current).Where(m => m != manager));
                return current;
            }
            var merged = (JsonObject)current.DeepClone();
            Merge(merged, body);
            var result = status ? WithStatus(current, merged) : Evolve(current, merged, type);
            return apply ? Managed(result, manager) : result;
        });
        await AnswerAsync(http, type, name, problem, updated);
    }

    private async Task DeleteAsync(HttpContext http, ResourceType type, string? ns, string name)
    {
        var existing = Store.Get(type, ns, name);
        if (existing is null)
        {
            await NotFoundAsync(http, type, name);
            return;
        }
        Store.Update(type, ns, name, _ => null);
        await WriteAsync(http, 200, Status(200, "", $"{type.Plural} \"{name}\" deleted", "Success"));
    }

    private async Task LogAsync(HttpContext http, string ns, string name)
    {
        var pod = Store.Get(ResourceType.Known.First(t => t.Plural == "pods"), ns, name);
        if (pod is null)
        {
            await NotFoundAsync(http, ResourceType.Known.First(t => t.Plural == "pods"), name);
            return;
        }
        var container = http.Request.Query["container"].ToString();
        var lines = (pod["metadata"]?["annotations"]?[$"test.onward.dev/log-{container}"] ?? pod["metadata"]?["annotations"]?["test.onward.dev/log"])?.GetValue<string>() ?? "";
        var tail = http.Request.Query["tailLines"] is { Count: > 0 } t ? int.Parse(t[0]!, System.Globalization.CultureInfo.InvariantCulture) : int.MaxValue;
        var all = lines.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        http.Response.ContentType = "text/plain";
        await http.Response.WriteAsync(string.Join('\n', all.TakeLast(tail)) + (all.Length > 0 ? "\n" : ""));
    }

    private static async Task AnswerAsync(HttpContext http, ResourceType type, string name, string? problem, JsonObject? updated)
    {
        switch (problem)
        {
            case "404":
                await NotFoundAsync(http, type, name);
                return;
            case "409":
                await StatusAsync(http, 409, "Conflict", $"Operation cannot be fulfilled on {type.Plural} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");
                return;
            case { } conflict when conflict.StartsWith("conflict:", StringComparison.Ordinal):
                await StatusAsync(http, 409, "Conflict", $"Apply failed with 1 conflict: conflict with \"{conflict["conflict:".Length..]}\"");
                return;
        }
        await WriteAsync(http, 200, updated!);
    }

    private static JsonObject Fresh(JsonObject body, ResourceType type, string? ns, string name)
    {
        var created = (JsonObject)body.DeepClone();
        created["kind"] = type.Kind;
        created["apiVersion"] = type.ApiVersion;
        if (created["metadata"] is not JsonObject metadata)
        {
            metadata = new JsonObject();
            created["metadata"] = metadata;
        }
        metadata["name"] = name;
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
        metadata["generation"] = 1L;
        if (type.HasStatus)
        {
            created.Remove("status");
        }
        if (type.Plural is "statefulsets" or "daemonsets" && created["spec"] is JsonObject spec && spec["updateStrategy"] is null)
        {
            // Defaults the API server sets (apps/v1 defaulting): rolling updates, and for StatefulSets partition 0.
            spec["updateStrategy"] = type.Plural == "statefulsets"
                ? new JsonObject { ["type"] = "RollingUpdate", ["rollingUpdate"] = new JsonObject { ["partition"] = 0 } }
                : new JsonObject { ["type"] = "RollingUpdate", ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = 1 } };
        }
        return created;
    }

    /// <summary>An update of the main resource: status stays as it was (it is a subresource), generation follows spec.</summary>
    private static JsonObject Evolve(JsonObject current, JsonObject proposed, ResourceType type)
    {
        var next = (JsonObject)proposed.DeepClone();
        var metadata = (JsonObject)current["metadata"]!.DeepClone();
        foreach (var key in new[] { "labels", "annotations", "ownerReferences", "finalizers" })
        {
            if (proposed["metadata"]?[key] is { } value)
            {
                metadata[key] = value.DeepClone();
            }
        }
        if (!JsonNode.DeepEquals(current["spec"], proposed["spec"]))
        {
            metadata["generation"] = (current["metadata"]?["generation"] is { } generation ? long.Parse(generation.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) : 0) + 1;
        }
        next["metadata"] = metadata;
        if (type.HasStatus)
        {
            next.Remove("status");
            if (current["status"] is { } status)
            {
                next["status"] = status.DeepClone();
            }
        }
        next["kind"] = type.Kind;
        next["apiVersion"] = type.ApiVersion;
        return next;
    }

    private static JsonObject WithStatus(JsonObject current, JsonObject proposed)
    {
        var next = (JsonObject)current.DeepClone();
        next.Remove("status");
        if (proposed["status"] is { } status)
        {
            next["status"] = status.DeepClone();
        }
        return next;
    }

    /// <summary>JSON merge patch (RFC 7386): maps merge, null deletes, anything else replaces.</summary>
    public static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchObject && target[key] is JsonObject targetObject)
            {
                Merge(targetObject, patchObject);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    private static JsonObject Managed(JsonObject o, string manager)
    {
        if (o["metadata"]!["managedFields"] is not JsonArray fields)
        {
            fields = [];
            o["metadata"]!["managedFields"] = fields;
        }
        if (!fields.Any(f => f?["manager"]?.GetValue<string>() == manager))
        {
            fields.Add(new JsonObject { ["manager"] = manager, ["operation"] = "Apply", ["apiVersion"] = o["apiVersion"]?.DeepClone(), ["fieldsType"] = "FieldsV1" });
        }
        return o;
    }

    private static IEnumerable<string> Managers(JsonObject o) =>
        (o["metadata"]?["managedFields"] as JsonArray ?? []).Select(f => f?["manager"]?.GetValue<string>() ?? "").Where(m => m.Length > 0);

    /// <summary>Kept simple: an apply conflicts when it sets spec values another manager set differently.</summary>
    private static bool Conflicts(JsonObject current, JsonObject applied) =>
        applied["spec"] is JsonObject spec && current["spec"] is JsonObject existing
        && spec.Any(p => existing.ContainsKey(p.Key) && !JsonNode.DeepEquals(existing[p.Key], p.Value));

    private static Func<JsonObject, bool>? Selector(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return null;
        }
        var terms = selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.Contains("!=", StringComparison.Ordinal)
                ? (Key: t.Split("!=")[0], Value: t.Split("!=")[1], Equal: false)
                : (Key: t.Split('=', 2)[0].TrimEnd('='), Value: t.Split('=', 2).ElementAtOrDefault(1)?.TrimStart('='), Equal: true))
            .ToList();
        return o =>
        {
            var labels = o["metadata"]?["labels"] as JsonObject;
            return terms.All(t =>
            {
                var actual = labels?[t.Key]?.GetValue<string>();
                return t.Value is null ? actual is not null : t.Equal ? actual == t.Value : actual != t.Value;
            });
        };
    }

    private static JsonObject Stamped(JsonObject o, ResourceType type)
    {
        o["kind"] ??= type.Kind;
        o["apiVersion"] ??= type.ApiVersion;
        return o;
    }

    private static async Task<JsonObject?> ReadAsync(HttpContext http)
    {
        try
        {
            return await JsonNode.ParseAsync(http.Request.Body) as JsonObject
                ?? throw new JsonException("the body is not an object");
        }
        catch (JsonException e)
        {
            await StatusAsync(http, 400, "BadRequest", $"the body is not a JSON object: {e.Message}");
            return null;
        }
    }

    private static Task NotFoundAsync(HttpContext http, ResourceType type, string name) =>
        StatusAsync(http, 404, "NotFound", $"{type.Plural}{(type.Group.Length > 0 ? "." + type.Group : "")} \"{name}\" not found");

    private static JsonObject Status(int code, string reason, string message, string status = "Failure") => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = status,
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    };

    private static Task StatusAsync(HttpContext http, int code, string reason, string message) => WriteAsync(http, code, Status(code, reason, message));

    private static async Task WriteAsync(HttpContext http, int code, JsonNode body)
    {
        http.Response.StatusCode = code;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString(Json));
    }

    private static async Task LineAsync(HttpContext http, JsonObject line, CancellationToken cancellationToken)
    {
        await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line.ToJsonString(Json) + "\n"), cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
    }
}
