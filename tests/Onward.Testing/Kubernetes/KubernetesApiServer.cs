using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Onward.Testing.Kubernetes;

/// <summary>
/// A Kubernetes API server on loopback that KubernetesClient and kubectl talk to unchanged, for the machines where no
/// real one can run. It keeps to the API's behaviour where Onward depends on it (https://kubernetes.io/docs/reference/using-api/api-concepts/):
/// discovery (<c>/api</c>, <c>/apis</c>, a resource list per group-version), namespaced and cluster-scoped CRUD,
/// server-side apply with field ownership (<see cref="FieldOwnership"/>), merge patches, <c>resourceVersion</c> on
/// everything with optimistic concurrency on update, <c>generation</c> bumped by spec changes only, <c>status</c> as
/// a subresource, list and watch with label and field selectors, bookmarks, 410 Gone for a watch from a compacted
/// resourceVersion, validation of names, selectors and custom resources against their schema, CRDs that become
/// <c>Established</c> and served, objects refused in a namespace that does not exist, an admission hook, and
/// deletion with finalizers and owner-reference garbage collection.
/// </summary>
public sealed class KubernetesApiServer : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly ResourceType Namespaces = ResourceType.Of("namespaces");
    private static readonly ResourceType Definitions = ResourceType.Of("customresourcedefinitions");
    private static readonly string[] SystemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Queue<(string Method, int Status)> _faults = new();

    private KubernetesApiServer(WebApplication app, ObjectStore store, int port, bool tls)
    {
        _app = app;
        Store = store;
        Port = port;
        _tls = tls;
    }

    private readonly bool _tls;

    /// <summary>The simulated controllers and kubelet, when started with <c>simulate</c>.</summary>
    public ClusterSimulator? Cluster { get; private set; }

    public ObjectStore Store { get; }

    /// <summary>The types this server serves now: the built-in ones and those of Established CRDs.</summary>
    public ApiResources Resources { get; } = new();

    public int Port { get; }

    public string Url => $"{(_tls ? "https" : "http")}://127.0.0.1:{Port}";

    /// <summary>How often an idle watch with <c>allowWatchBookmarks</c> gets a BOOKMARK; this server's own, so that parallel tests do not share it.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a new CRD takes to be Established (its names accepted and its resources served).</summary>
    public TimeSpan EstablishDelay { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>
    /// A validating admission webhook: given a type and the object about to be stored, the reason to deny it, or null
    /// to admit it. Denials are answered as the API server answers a webhook's.
    /// </summary>
    public Func<ResourceType, JsonObject, string?>? Admission { get; set; }

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
    /// <param name="namespaces">Namespaces that exist from the start, besides <c>default</c> and <c>kube-system</c>.</param>
    /// <param name="port">The port to listen on; a free one when not given.</param>
    /// <param name="certificate">Serve HTTPS with this certificate, as a real API server does (a pod trusts it through its service account's ca.crt).</param>
    /// <param name="token">Answer 401 to every request that does not carry this bearer token (a service account's).</param>
    public static async Task<KubernetesApiServer> StartAsync(
        bool simulate = false, IReadOnlyList<string>? namespaces = null, int? port = null, X509Certificate2? certificate = null, string? token = null)
    {
        var listen = port ?? Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        if (certificate is null)
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{listen}");
        }
        else
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, listen, endpoint => endpoint.UseHttps(certificate)));
        }
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var store = new ObjectStore();
        var server = new KubernetesApiServer(app, store, listen, certificate is not null);
        if (token is not null)
        {
            app.Use(async (http, next) =>
            {
                if (http.Request.Headers.Authorization.ToString() != "Bearer " + token)
                {
                    http.Response.StatusCode = 401;
                    await http.Response.WriteAsJsonAsync(new { kind = "Status", apiVersion = "v1", status = "Failure", message = "Unauthorized", reason = "Unauthorized", code = 401 });
                    return;
                }
                await next(http);
            });
        }
        foreach (var ns in SystemNamespaces.Concat(namespaces ?? []).Distinct())
        {
            server.CreateNamespace(ns);
        }
        app.MapGet("/api", () => Results.Json(ApiResources.CoreVersions()));
        app.MapGet("/apis", () => Results.Json(server.Resources.GroupList()));
        app.MapGet("/apis/{group}", (HttpContext http, string group) => DiscoveryAsync(http, server.Resources.Group(group)));
        app.MapGet("/version", () => Results.Json(new { major = "1", minor = "32", gitVersion = "v1.32.0-onward-test", platform = "linux/amd64" }));
        // Not part of the Kubernetes API: what benchmarks and outside checks want to know of the test server itself.
        app.MapGet("/onward-test/stats", () => Results.Json(new { openWatches = store.OpenWatches, resourceVersion = store.Revision }));
        app.Map("/api/{version}/{**path}", (HttpContext http, string version, string? path) => server.HandleAsync(http, "", version, path ?? ""));
        app.Map("/apis/{group}/{version}/{**path}", (HttpContext http, string group, string version, string? path) => server.HandleAsync(http, group, version, path ?? ""));
        await app.StartAsync();
        if (simulate)
        {
            server.Cluster = new ClusterSimulator(store);
        }
        return server;
    }

    /// <summary>Creates a namespace directly, as a cluster administrator would have.</summary>
    public void CreateNamespace(string name) =>
        Store.Update(Namespaces, null, name, current => current ?? Fresh(new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } }, Namespaces, null, name));

    /// <summary>A kubeconfig that points kubectl and KubernetesClient at this server.</summary>
    public string Kubeconfig(string context = "onward-test") => $"""
        apiVersion: v1
        kind: Config
        clusters:
          - name: {context}
            cluster: {"{"} server: "{Url}" {"}"}
        users:
          - name: {context}
            user: {"{"} token: onward-test {"}"}
        contexts:
          - name: {context}
            context: {"{"} cluster: {context}, user: {context}, namespace: default {"}"}
        current-context: {context}

        """;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
        Store.DropWatches();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext http, string group, string version, string path)
    {
        try
        {
            if (path.Length == 0)
            {
                await DiscoveryAsync(http, Resources.ResourceList(group, version));
                return;
            }
            await RouteAsync(http, group, version, path);
        }
        catch (Exception e) when (e is not OperationCanceledException && !http.Response.HasStarted)
        {
            // A fault of the test server names itself instead of hiding behind an empty 500.
            await StatusAsync(http, 500, "InternalError", $"test API server: {e}");
        }
    }

    private static Task DiscoveryAsync(HttpContext http, JsonObject? document) =>
        document is null
            ? StatusAsync(http, 404, "NotFound", "the server could not find the requested resource")
            : WriteAsync(http, 200, document);

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
        // namespaces/NAME/status and namespaces/NAME/finalize are a namespace's subresources, not a namespace scope.
        if (parts.Length > 2 && parts[0] == "namespaces" && !(parts.Length == 3 && parts[2] is "status" or "finalize"))
        {
            ns = parts[1];
            parts = parts[2..];
        }
        var type = Resources.Find(group, version, parts.ElementAtOrDefault(0) ?? "");
        var name = parts.ElementAtOrDefault(1);
        if (type is null || ns is not null && !type.Namespaced || type.Namespaced && ns is null && name is not null)
        {
            await StatusAsync(http, 404, "NotFound", $"the server could not find the requested resource ({path})");
            return;
        }
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
            case "POST" when name is null && (ns is not null || !type.Namespaced):
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
        if (Store.Get(Resources.Storage(type), ns, name) is { } found)
        {
            await WriteAsync(http, 200, Stamped(found, type));
            return;
        }
        await NotFoundAsync(http, type, name);
    }

    private async Task ListAsync(HttpContext http, ResourceType type, string? ns)
    {
        var filter = Filter(http);
        var (items, revision) = Store.List(Resources.Storage(type), ns, filter);
        var list = new JsonObject
        {
            ["kind"] = type.Kind + "List",
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) },
            ["items"] = new JsonArray(items.Select(i => (JsonNode)Stamped(i, type)).ToArray()),
        };
        await WriteAsync(http, 200, list);
    }

    private async Task WatchAsync(HttpContext http, ResourceType type, string? ns)
    {
        var filter = Filter(http);
        var stored = Resources.Storage(type);
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
            (initial, since) = Store.List(stored, ns, filter);
        }
        else
        {
            since = long.Parse(requested, CultureInfo.InvariantCulture);
        }
        var reader = Store.Watch(stored, ns, since);
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
            var timeout = http.Request.Query["timeoutSeconds"] is { Count: > 0 } t ? TimeSpan.FromSeconds(double.Parse(t[0]!, CultureInfo.InvariantCulture)) : TimeSpan.FromMinutes(30);
            using var ends = CancellationTokenSource.CreateLinkedTokenSource(cancel, _stopping.Token);
            ends.CancelAfter(timeout);
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
                            ["object"] = new JsonObject
                            {
                                ["kind"] = type.Kind,
                                ["apiVersion"] = type.ApiVersion,
                                ["metadata"] = new JsonObject { ["resourceVersion"] = Store.Revision.ToString(CultureInfo.InvariantCulture) },
                            },
                        }, ends.Token);
                    }
                    continue;
                }
                while (reader.TryRead(out var e))
                {
                    if (Seen(e, filter) is { } kind)
                    {
                        await LineAsync(http, new JsonObject { ["type"] = kind, ["object"] = Stamped(e.Item, type) }, ends.Token);
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

    /// <summary>
    /// How a filtered watch sees a change: an object that stops matching the selector is DELETED for it, one that
    /// starts matching is ADDED, as the API server's watch cache reports them.
    /// </summary>
    private static string? Seen(WatchEvent e, Func<JsonObject, bool>? filter)
    {
        if (filter is null)
        {
            return e.Kind;
        }
        var now = filter(e.Item);
        var before = e.Previous is not null && filter(e.Previous);
        return e.Kind switch
        {
            "MODIFIED" when now && !before => "ADDED",
            "MODIFIED" when !now && before => "DELETED",
            _ when now => e.Kind,
            _ => null,
        };
    }

    private async Task CreateAsync(HttpContext http, ResourceType type, string? ns)
    {
        var body = await ReadAsync(http);
        if (body is null)
        {
            return;
        }
        var name = (body["metadata"]?["name"] as JsonValue)?.ToString();
        if (string.IsNullOrEmpty(name))
        {
            await StatusAsync(http, 422, "Invalid", $"{type.Kind} is invalid: metadata.name: Required value: name or generateName is required");
            return;
        }
        var manager = Manager(http, "Update");
        Refusal? refused = null;
        var created = Store.Update(Resources.Storage(type), ns, name, current =>
        {
            if (current is not null)
            {
                refused = new Refusal(409, "AlreadyExists", $"{Plural(type)} \"{name}\" already exists");
                return current;
            }
            var candidate = Fresh(body, type, ns, name);
            refused = Admit(type, ns, candidate, null, Strict(http));
            return refused is null ? FieldOwnership.Update(null, candidate, manager) : null;
        });
        if (refused is not null)
        {
            await StatusAsync(http, refused.Code, refused.Reason, refused.Message);
            return;
        }
        Changed(type, created!);
        await WriteAsync(http, 201, Stamped(created!, type));
    }

    private async Task ReplaceAsync(HttpContext http, ResourceType type, string? ns, string name, bool status)
    {
        var body = await ReadAsync(http);
        if (body is null)
        {
            return;
        }
        var manager = Manager(http, "Update");
        Refusal? refused = null;
        var updated = Store.Update(Resources.Storage(type), ns, name, current =>
        {
            if (current is null)
            {
                refused = NotFound(type, name);
                return null;
            }
            var expected = (body["metadata"]?["resourceVersion"] as JsonValue)?.ToString();
            if (!string.IsNullOrEmpty(expected) && expected != current["metadata"]!["resourceVersion"]!.GetValue<string>())
            {
                refused = new Refusal(409, "Conflict",
                    $"Operation cannot be fulfilled on {Plural(type)} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");
                return current;
            }
            if (status)
            {
                return WithStatus(current, body);
            }
            var next = Evolve(current, body, type);
            refused = Admit(type, ns, next, current, Strict(http));
            return refused is not null ? current : Finalized(FieldOwnership.Update(current, next, manager));
        });
        await AnswerAsync(http, type, ns, name, refused, updated);
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
        var manager = Manager(http, apply ? "" : "Update");
        var force = http.Request.Query["force"].ToString() == "true";
        if (apply && manager.Length == 0)
        {
            await StatusAsync(http, 400, "BadRequest", "PATCH with apply-patch requires a fieldManager");
            return;
        }
        if (apply && Mismatch(type, ns, name, body) is { } mismatch)
        {
            await StatusAsync(http, mismatch.Code, mismatch.Reason, mismatch.Message);
            return;
        }
        Refusal? refused = null;
        var updated = Store.Update(Resources.Storage(type), ns, name, current =>
        {
            if (current is null && !apply)
            {
                refused = NotFound(type, name);
                return null;
            }
            if (status)
            {
                if (current is null)
                {
                    refused = NotFound(type, name);
                    return null;
                }
                var patched = (JsonObject)current.DeepClone();
                Merge(patched, body);
                return WithStatus(current, patched);
            }
            JsonObject next;
            if (apply)
            {
                var (result, conflicts) = FieldOwnership.Apply(current, body, manager, force);
                if (result is null)
                {
                    refused = new Refusal(409, "Conflict", $"Apply failed with {conflicts.Count} conflict{(conflicts.Count == 1 ? "" : "s")}: {string.Join("\n", conflicts)}");
                    return current;
                }
                next = current is null ? Fresh(result, type, ns, name) : Evolve(current, result, type);
            }
            else
            {
                var merged = (JsonObject)current!.DeepClone();
                Merge(merged, body);
                next = FieldOwnership.Update(current, Evolve(current, merged, type), manager);
            }
            refused = Admit(type, ns, next, current, Strict(http));
            return refused is not null ? current : Finalized(next);
        });
        await AnswerAsync(http, type, ns, name, refused, updated);
    }

    private async Task DeleteAsync(HttpContext http, ResourceType type, string? ns, string name)
    {
        var options = http.Request.ContentLength > 0 ? await ReadAsync(http) : null;
        var policy = http.Request.Query["propagationPolicy"].ToString() is { Length: > 0 } p ? p
            : (options?["propagationPolicy"] as JsonValue)?.ToString() ?? "Background";
        var stored = Resources.Storage(type);
        var existing = Store.Get(stored, ns, name);
        if (existing is null)
        {
            await NotFoundAsync(http, type, name);
            return;
        }
        if (existing["metadata"]?["finalizers"] is JsonArray { Count: > 0 })
        {
            // With finalizers the object only gets a deletionTimestamp; it goes once they are removed.
            var marked = Store.Update(stored, ns, name, current =>
            {
                current!["metadata"]!["deletionTimestamp"] ??= DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                return current;
            });
            await WriteAsync(http, 200, Stamped(marked!, type));
            return;
        }
        Remove(stored, ns, name, policy);
        await WriteAsync(http, 200, Status(200, "", $"{Plural(type)} \"{name}\" deleted", "Success"));
    }

    /// <summary>
    /// Deletes an object and what depends on it: the dependents that name it in <c>ownerReferences</c> (garbage
    /// collection; with <c>Orphan</c> they only lose the reference), a namespace's contents, a CRD's custom objects.
    /// </summary>
    private void Remove(ResourceType type, string? ns, string name, string policy)
    {
        JsonObject? removed = null;
        Store.Update(type, ns, name, current =>
        {
            removed = current;
            return null;
        });
        if (removed is null)
        {
            return;
        }
        var uid = (removed["metadata"]?["uid"] as JsonValue)?.ToString();
        if (type == Namespaces)
        {
            foreach (var (t, n, item) in Store.Find((_, n, _) => n == name))
            {
                Remove(t, n, Name(item), "Background");
            }
        }
        if (type == Definitions && removed["spec"] is JsonObject spec)
        {
            var group = (spec["group"] as JsonValue)?.ToString() ?? "";
            var plural = (spec["names"]?["plural"] as JsonValue)?.ToString() ?? "";
            Resources.Withdraw(group, plural);
            foreach (var (t, n, item) in Store.Find((t, _, _) => t.Group == group && t.Plural == plural))
            {
                Remove(t, n, Name(item), "Background");
            }
        }
        var dependents = Store.Find((_, _, item) => (item["metadata"]?["ownerReferences"] as JsonArray ?? [])
            .Any(r => (r?["uid"] as JsonValue)?.ToString() == uid));
        foreach (var (t, n, item) in dependents)
        {
            if (policy == "Orphan")
            {
                Store.Update(t, n, Name(item), current =>
                {
                    var references = current?["metadata"]?["ownerReferences"] as JsonArray;
                    references?.Where(r => (r?["uid"] as JsonValue)?.ToString() == uid).ToList().ForEach(r => references.Remove(r));
                    return current;
                });
            }
            else
            {
                Remove(t, n, Name(item), "Background");
            }
        }
    }

    /// <summary>What the API server checks before it stores an object: scope, names, the kind's rules, the schema, admission.</summary>
    private Refusal? Admit(ResourceType type, string? ns, JsonObject candidate, JsonObject? existing, bool strict)
    {
        if (type.Group.Length == 0 && type.Plural == "secrets" && SecretData(candidate) is { } badData)
        {
            return badData;
        }
        var name = Name(candidate);
        if (Mismatch(type, ns, name, candidate) is { } mismatch)
        {
            return mismatch;
        }
        if (existing is null && ns is not null)
        {
            var space = Store.Get(Namespaces, null, ns);
            if (space is null)
            {
                return new Refusal(404, "NotFound", $"namespaces \"{ns}\" not found");
            }
            if (space["metadata"]?["deletionTimestamp"] is not null)
            {
                return new Refusal(403, "Forbidden", $"{Plural(type)} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated");
            }
        }
        if (ObjectRules.Problem(type, candidate, existing) is { } invalid)
        {
            return new Refusal(422, "Invalid", invalid);
        }
        if (type == Definitions && CustomResources.Problem(candidate) is { } badDefinition)
        {
            return new Refusal(422, "Invalid", badDefinition);
        }
        if (!ResourceType.Known.Contains(type) && Store.Get(Definitions, null, $"{type.Plural}.{type.Group}") is { } definition
            && CustomResources.Schema(definition, type) is { } schema)
        {
            var problems = CustomResources.Check(schema, candidate, strict);
            if (problems.Count > 0)
            {
                return strict && problems.All(p => p.StartsWith('.'))
                    ? new Refusal(422, "Invalid", $"failed to create typed patch object (/{name}; {type.ApiVersion}, Kind={type.Kind}): {string.Join(", ", problems)}")
                    : new Refusal(422, "Invalid", $"{type.Kind}.{type.Group} \"{name}\" is invalid: {string.Join(", ", problems)}");
            }
            if (existing is not null && JsonNode.DeepEquals(existing["spec"], candidate["spec"]))
            {
                // Pruned fields were never there: a spec that is the same after pruning is not a new generation.
                candidate["metadata"]!["generation"] = existing["metadata"]?["generation"]?.DeepClone();
            }
        }
        if (Admission?.Invoke(type, candidate) is { } denied)
        {
            return new Refusal(400, "BadRequest", $"admission webhook \"policy.test.onward.dev\" denied the request: {denied}");
        }
        return null;
    }

    /// <summary>
    /// A Secret's <c>stringData</c> is write-only: the API server merges it into <c>data</c> (base64, stringData winning)
    /// and never returns it; <c>data</c> must be base64 (https://kubernetes.io/docs/concepts/configuration/secret/).
    /// </summary>
    private static Refusal? SecretData(JsonObject secret)
    {
        var data = secret["data"] as JsonObject;
        foreach (var (key, value) in data ?? [])
        {
            var text = (value as JsonValue)?.ToString() ?? "";
            if (!Convert.TryFromBase64String(text, new byte[text.Length], out _))
            {
                return new Refusal(400, "BadRequest", $"Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 0 (data.{key})");
            }
        }
        if (secret["stringData"] is JsonObject strings)
        {
            if (data is null)
            {
                secret["data"] = data = [];
            }
            foreach (var (key, value) in strings)
            {
                data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes((value as JsonValue)?.ToString() ?? ""));
            }
            secret.Remove("stringData");
        }
        return null;
    }

    private static Refusal? Mismatch(ResourceType type, string? ns, string name, JsonObject body)
    {
        var kind = (body["kind"] as JsonValue)?.ToString();
        var apiVersion = (body["apiVersion"] as JsonValue)?.ToString();
        if (kind is not null && kind != type.Kind || apiVersion is not null && apiVersion != type.ApiVersion)
        {
            return new Refusal(400, "BadRequest", $"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion}) or the kind ({kind}) does not match {type.Kind}");
        }
        var bodyNamespace = (body["metadata"]?["namespace"] as JsonValue)?.ToString();
        if (type.Namespaced && !string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != ns)
        {
            return new Refusal(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
        }
        var bodyName = (body["metadata"]?["name"] as JsonValue)?.ToString();
        if (!string.IsNullOrEmpty(bodyName) && bodyName != name)
        {
            return new Refusal(400, "BadRequest", "the name of the object does not match the name on the URL");
        }
        return null;
    }

    /// <summary>After a change to a CRD: once its names are accepted it is Established, and its resources are served.</summary>
    private void Changed(ResourceType type, JsonObject item)
    {
        if (type != Definitions)
        {
            return;
        }
        var name = Name(item);
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(EstablishDelay, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var current = Store.Get(Definitions, null, name);
            if (current is null)
            {
                return;
            }
            Resources.Serve(CustomResources.Types(current));
            var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            Store.Update(Definitions, null, name, crd =>
            {
                if (crd is null)
                {
                    return null;
                }
                crd["status"] = new JsonObject
                {
                    ["acceptedNames"] = crd["spec"]?["names"]?.DeepClone(),
                    ["storedVersions"] = new JsonArray(CustomResources.Types(crd).Take(1).Select(t => (JsonNode)t.Version).ToArray()),
                    ["conditions"] = new JsonArray(
                        new JsonObject { ["type"] = "NamesAccepted", ["status"] = "True", ["reason"] = "NoConflicts", ["message"] = "no conflicts found", ["lastTransitionTime"] = now },
                        new JsonObject { ["type"] = "Established", ["status"] = "True", ["reason"] = "InitialNamesAccepted", ["message"] = "the initial names have been accepted", ["lastTransitionTime"] = now }),
                };
                return crd;
            });
        });
    }

    /// <summary>An object being deleted whose last finalizer was just removed is gone.</summary>
    private static JsonObject? Finalized(JsonObject item) =>
        item["metadata"]?["deletionTimestamp"] is not null && item["metadata"]?["finalizers"] is not JsonArray { Count: > 0 } ? null : item;

    private async Task LogAsync(HttpContext http, string ns, string name)
    {
        var pods = ResourceType.Of("pods");
        var pod = Store.Get(pods, ns, name);
        if (pod is null)
        {
            await NotFoundAsync(http, pods, name);
            return;
        }
        var container = http.Request.Query["container"].ToString();
        var lines = (pod["metadata"]?["annotations"]?[$"test.onward.dev/log-{container}"] ?? pod["metadata"]?["annotations"]?["test.onward.dev/log"])?.GetValue<string>() ?? "";
        var tail = http.Request.Query["tailLines"] is { Count: > 0 } t ? int.Parse(t[0]!, CultureInfo.InvariantCulture) : int.MaxValue;
        var all = lines.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        http.Response.ContentType = "text/plain";
        await http.Response.WriteAsync(string.Join('\n', all.TakeLast(tail)) + (all.Length > 0 ? "\n" : ""));
    }

    private async Task AnswerAsync(HttpContext http, ResourceType type, string? ns, string name, Refusal? refused, JsonObject? updated)
    {
        if (refused is not null)
        {
            await StatusAsync(http, refused.Code, refused.Reason, refused.Message);
            return;
        }
        if (updated is null)
        {
            // The last finalizer went: the object is deleted, and what it owned with it.
            Remove(Resources.Storage(type), ns, name, "Background");
            await WriteAsync(http, 200, Status(200, "", $"{Plural(type)} \"{name}\" deleted", "Success"));
            return;
        }
        Changed(type, updated);
        await WriteAsync(http, 200, Stamped(updated, type));
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
        metadata["creationTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
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
        if (type.Plural == "services" && type.Group.Length == 0 && created["spec"] is JsonObject serviceSpec && serviceSpec["clusterIP"] is null)
        {
            // The API server allocates every Service a cluster IP from the service range.
            serviceSpec["clusterIP"] = $"10.96.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(1, 255)}";
        }
        if (type.Plural == "namespaces")
        {
            created["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
            created["status"] = new JsonObject { ["phase"] = "Active" };
        }
        return created;
    }

    /// <summary>An update of the main resource: status stays as it was (it is a subresource), generation follows spec.</summary>
    private static JsonObject Evolve(JsonObject current, JsonObject proposed, ResourceType type)
    {
        var next = (JsonObject)proposed.DeepClone();
        var metadata = (JsonObject)current["metadata"]!.DeepClone();
        foreach (var key in new[] { "labels", "annotations", "ownerReferences", "finalizers", "managedFields" })
        {
            if (proposed["metadata"]?[key] is { } value)
            {
                metadata[key] = value.DeepClone();
            }
            else
            {
                metadata.Remove(key);
            }
        }
        var specChanged = type == Definitions || !type.HasStatus
            ? !JsonNode.DeepEquals(WithoutMetadata(current), WithoutMetadata(proposed))
            : !JsonNode.DeepEquals(current["spec"], proposed["spec"]);
        if (specChanged)
        {
            metadata["generation"] = (current["metadata"]?["generation"] is JsonValue generation ? generation.GetValue<long>() : 0) + 1;
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

    private static JsonObject WithoutMetadata(JsonObject o)
    {
        var copy = (JsonObject)o.DeepClone();
        copy.Remove("metadata");
        copy.Remove("status");
        return copy;
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

    /// <summary>The request's field manager; updates without one are kubectl's (its user agent names it so).</summary>
    private static string Manager(HttpContext http, string fallback)
    {
        var manager = http.Request.Query["fieldManager"].ToString();
        if (manager.Length > 0 || fallback.Length == 0)
        {
            return manager;
        }
        var agent = http.Request.Headers.UserAgent.ToString();
        return agent.Length > 0 ? agent.Split('/')[0] : "unknown";
    }

    /// <summary>kubectl asks for strict field validation by default; unknown fields then fail instead of being dropped.</summary>
    private static bool Strict(HttpContext http) => http.Request.Query["fieldValidation"].ToString() == "Strict";

    /// <summary>Label selectors (<c>a=b</c>, <c>a!=b</c>, <c>a</c>) and field selectors on any dotted path (<c>metadata.name=web</c>).</summary>
    private static Func<JsonObject, bool>? Filter(HttpContext http)
    {
        var labels = Terms(http.Request.Query["labelSelector"]);
        var fields = Terms(http.Request.Query["fieldSelector"]);
        if (labels.Count == 0 && fields.Count == 0)
        {
            return null;
        }
        return o =>
        {
            var objectLabels = o["metadata"]?["labels"] as JsonObject;
            return labels.All(t =>
            {
                var actual = (objectLabels?[t.Key] as JsonValue)?.ToString();
                return t.Value is null ? actual is not null : t.Equal ? actual == t.Value : actual != t.Value;
            }) && fields.All(t =>
            {
                JsonNode? node = o;
                foreach (var step in t.Key.Split('.'))
                {
                    node = node is JsonObject map ? map[step] : null;
                }
                var actual = (node as JsonValue)?.ToString() ?? "";
                return t.Equal ? actual == t.Value : actual != t.Value;
            });
        };
    }

    private static List<(string Key, string? Value, bool Equal)> Terms(string? selector) =>
        string.IsNullOrWhiteSpace(selector) ? [] : selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.Contains("!=", StringComparison.Ordinal)
                ? (Key: t.Split("!=")[0], Value: (string?)t.Split("!=")[1], Equal: false)
                : (Key: t.Split('=', 2)[0].TrimEnd('='), Value: t.Split('=', 2).ElementAtOrDefault(1)?.TrimStart('='), Equal: true))
            .ToList();

    private static JsonObject Stamped(JsonObject o, ResourceType type)
    {
        o["kind"] = type.Kind;
        o["apiVersion"] = type.ApiVersion;
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

    private static string Name(JsonObject o) => (o["metadata"]?["name"] as JsonValue)?.ToString() ?? "";

    private static string Plural(ResourceType type) => type.Plural + (type.Group.Length > 0 ? "." + type.Group : "");

    private static Refusal NotFound(ResourceType type, string name) => new(404, "NotFound", $"{Plural(type)} \"{name}\" not found");

    private static Task NotFoundAsync(HttpContext http, ResourceType type, string name) => StatusAsync(http, 404, "NotFound", NotFound(type, name).Message);

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

    /// <summary>Why a request was refused: the Status the API server answers with.</summary>
    private sealed record Refusal(int Code, string Reason, string Message);
}
