using System.Globalization;
using System.Text.Json.Nodes;
using Onward.Core.Canaries;
using Onward.Core.Configuration;
using Onward.Core.Pipeline;
using Onward.Core.Targets;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// Canaries on a cluster. The release's Deployments run beside the running ones as <c>NAME-canary</c> copies; with
/// <c>canary.kubernetes.route</c> each Service the HTTPRoute sends to gets a <c>NAME-canary</c> twin selecting only
/// the canary's Pods (their selector labels' values end in <c>-canary</c>, so the running Service never selects them),
/// and the route's backendRefs carry the weights, as Flagger's Gateway API router does. Without a route the canary
/// gets Pods in proportion to its weight behind the same Service (approximate). At 100 % the release is applied as
/// usual while the canary serves, the route goes back to what the release says once that rolled out, and the copies
/// are deleted. While Onward owns the weights the route carries <c>onward.dev/canary-weight</c>, and its backendRefs
/// are not drift.
/// </summary>
public sealed partial class KubernetesTarget : ICanaryTarget
{
    private const string CanaryLabel = "onward.dev/canary";
    private const string CanarySuffix = "-canary";
    private const string WeightAnnotation = "onward.dev/canary-weight";
    private const string RulesAnnotation = "onward.dev/rules-before-canary";
    private const string CanaryManager = "onward-canary";
    private static readonly TimeSpan RolloutCheck = TimeSpan.FromMilliseconds(500);

    public long? CanaryRequests(TargetContext context) => null;

    public async Task<string> SetCanaryWeightAsync(TargetContext context, int weight, CancellationToken cancellationToken)
    {
        var cluster = _clusters.For(context.Environment);
        var ns = context.Environment.Target.Kubernetes!.Namespace;
        var objects = await LoadAsync(context.Deployment.Id, cancellationToken) ?? [];
        if (context.Canary!.Route is not { } name)
        {
            return await ScaleCanaryAsync(cluster, ns, objects, weight, cancellationToken);
        }
        var route = await RouteAsync(cluster, context, name, cancellationToken);
        var twins = TwinnedServices(objects, route);
        var before = route["metadata"]?["annotations"]?[RulesAnnotation] is JsonValue kept
            ? JsonNode.Parse(kept.ToString()) as JsonArray ?? []
            : (route["spec"]?["rules"] as JsonArray ?? []).DeepClone().AsArray();
        var rules = new JsonArray();
        var shown = new List<string>();
        foreach (var rule in before.OfType<JsonObject>())
        {
            var copy = rule.DeepClone().AsObject();
            var refs = new JsonArray();
            foreach (var backend in (rule["backendRefs"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var service = (backend["name"] as JsonValue)?.ToString() ?? "";
                if (!twins.Contains(service))
                {
                    refs.Add(backend.DeepClone());
                    continue;
                }
                var stable = backend.DeepClone().AsObject();
                stable["weight"] = 100 - weight;
                var canary = backend.DeepClone().AsObject();
                canary["name"] = service + CanarySuffix;
                canary["weight"] = weight;
                refs.Add(stable);
                refs.Add(canary);
                shown.Add($"{service} {100 - weight}, {service}{CanarySuffix} {weight}");
            }
            copy["backendRefs"] = refs;
            rules.Add(copy);
        }
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [WeightAnnotation] = weight.ToString(CultureInfo.InvariantCulture), [RulesAnnotation] = before.ToJsonString() } },
            ["spec"] = new JsonObject { ["rules"] = rules },
        };
        var (ok, detail) = await KubernetesRequests.MergePatchAsync(cluster.Client, RoutePath(ns, name), patch, CanaryManager, cancellationToken);
        if (!ok)
        {
            throw new InvalidOperationException($"setting the weights of HTTPRoute {name} in {ns} failed: {detail}");
        }
        return $"HTTPRoute {name}: {string.Join("; ", shown.Distinct())}";
    }

    public async Task<string> AbortCanaryAsync(TargetContext context, CancellationToken cancellationToken)
    {
        Forget(context);
        var cluster = _clusters.For(context.Environment);
        var ns = context.Environment.Target.Kubernetes!.Namespace;
        var objects = await LoadAsync(context.Deployment.Id, cancellationToken) ?? [];
        var notes = new List<string>();
        if (context.Canary?.Route is { } name && await KubernetesRequests.GetAsync(cluster.Client, RoutePath(ns, name), cancellationToken) is { } route)
        {
            notes.Add(await RestoreRouteAsync(cluster, ns, name, route, null, cancellationToken));
        }
        notes.Add(await DeleteCanaryAsync(cluster, ns, objects, cancellationToken));
        return string.Join("; ", notes);
    }

    /// <summary>The canary copies of a release's Deployments and, with a route, of the Services the route sends to.</summary>
    private static List<RenderedObject> CanaryObjects(List<RenderedObject> objects, IReadOnlySet<string> twins, bool routed, int replicas)
    {
        var copies = new List<RenderedObject>();
        foreach (var item in objects.Where(o => o.Kind.Is("apps", "Deployment") && o.Secrets is null && o.Hook is null))
        {
            var body = item.Body.DeepClone().AsObject();
            body["metadata"]!["name"] = item.Name + CanarySuffix;
            Labels(body["metadata"]!.AsObject())[CanaryLabel] = "true";
            var selector = body["spec"]?["selector"]?["matchLabels"] as JsonObject ?? [];
            var template = Labels(body["spec"]?["template"]?["metadata"] as JsonObject ?? (JsonObject)(body["spec"]!["template"]!["metadata"] = new JsonObject()));
            foreach (var (key, value) in selector.ToList())
            {
                if (routed && value is JsonValue v)
                {
                    // The running Service must not select the canary's Pods: their selector labels' values change.
                    selector[key] = v.ToString() + CanarySuffix;
                    template[key] = v.ToString() + CanarySuffix;
                }
            }
            selector[CanaryLabel] = "true";
            template[CanaryLabel] = "true";
            if (!routed)
            {
                body["spec"]!["replicas"] = replicas;
            }
            copies.Add(item with { Name = item.Name + CanarySuffix, Body = body });
        }
        foreach (var item in objects.Where(o => routed && o.Kind.Is("", "Service") && twins.Contains(o.Name)))
        {
            var body = item.Body.DeepClone().AsObject();
            body["metadata"]!["name"] = item.Name + CanarySuffix;
            Labels(body["metadata"]!.AsObject())[CanaryLabel] = "true";
            if (body["spec"] is JsonObject spec)
            {
                spec.Remove("clusterIP");
                spec.Remove("clusterIPs");
                var selector = spec["selector"] as JsonObject ?? (JsonObject)(spec["selector"] = new JsonObject());
                foreach (var (key, value) in selector.ToList())
                {
                    selector[key] = (value as JsonValue)?.ToString() + CanarySuffix;
                }
                selector[CanaryLabel] = "true";
                foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    port.Remove("nodePort");
                }
            }
            copies.Add(item with { Name = item.Name + CanarySuffix, Body = body });
        }
        return copies;
    }

    private static JsonObject Labels(JsonObject metadata) =>
        metadata["labels"] as JsonObject ?? (JsonObject)(metadata["labels"] = new JsonObject());

    /// <summary>The canary's objects for this deployment: what apply creates and verification waits for.</summary>
    private async Task<(List<RenderedObject> Copies, string? Problem)> CanaryCopiesAsync(TargetContext context, List<RenderedObject> objects, CancellationToken cancellationToken)
    {
        var cluster = _clusters.For(context.Environment);
        var ns = context.Environment.Target.Kubernetes!.Namespace;
        if (context.Canary!.Route is { } name)
        {
            var route = await KubernetesRequests.GetAsync(cluster.Client, RoutePath(ns, name), cancellationToken);
            if (route is null)
            {
                return ([], $"the canary's HTTPRoute {name} is not in namespace {ns}; create it (or list it in the release's manifests and deploy once without a canary), or leave `canary.kubernetes.route` out to weigh by replicas");
            }
            var twins = TwinnedServices(objects, route);
            if (twins.Count == 0)
            {
                return ([], $"HTTPRoute {name} sends to no Service of this release; its backendRefs must name the release's Services");
            }
            return (CanaryObjects(objects, twins, routed: true, 0), null);
        }
        return (CanaryObjects(objects, new HashSet<string>(), routed: false, 1), null);
    }

    /// <summary>The release's Services that the route's backendRefs name: each gets a canary twin.</summary>
    private static HashSet<string> TwinnedServices(List<RenderedObject> objects, JsonObject route)
    {
        var named = (route["spec"]?["rules"] as JsonArray ?? []).OfType<JsonObject>()
            .SelectMany(r => (r["backendRefs"] as JsonArray ?? []).OfType<JsonObject>())
            .Where(b => b["kind"] is null || (b["kind"] as JsonValue)?.ToString() == "Service")
            .Select(b => (b["name"] as JsonValue)?.ToString() ?? "")
            .Where(n => !n.EndsWith(CanarySuffix, StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        return objects.Where(o => o.Kind.Is("", "Service") && named.Contains(o.Name)).Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
    }

    private static async Task<JsonObject> RouteAsync(Cluster cluster, TargetContext context, string name, CancellationToken cancellationToken) =>
        await KubernetesRequests.GetAsync(cluster.Client, RoutePath(context.Environment.Target.Kubernetes!.Namespace, name), cancellationToken)
        ?? throw new InvalidOperationException($"the canary's HTTPRoute {name} is gone from {context.Environment.Target.Kubernetes!.Namespace}");

    private static string RoutePath(string ns, string name) =>
        $"/apis/gateway.networking.k8s.io/v1/namespaces/{Uri.EscapeDataString(ns)}/httproutes/{Uri.EscapeDataString(name)}";

    /// <summary>Weights by replicas: the canary gets about <paramref name="weight"/> percent of the Pods behind the same Service.</summary>
    private static async Task<string> ScaleCanaryAsync(Cluster cluster, string ns, List<RenderedObject> objects, int weight, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        foreach (var item in objects.Where(o => o.Kind.Is("apps", "Deployment")))
        {
            var live = await KubernetesRequests.GetAsync(cluster.Client, ResourceMapping.Deployments.ObjectPath(ns, item.Name), cancellationToken);
            var stable = (live?["spec"]?["replicas"] as JsonValue)?.GetValue<int>() ?? 1;
            var canary = weight >= 100 ? stable : Math.Max(1, (int)Math.Round(stable * weight / (100.0 - weight), MidpointRounding.AwayFromZero));
            var (ok, detail) = await KubernetesRequests.MergePatchAsync(cluster.Client, ResourceMapping.Deployments.ObjectPath(ns, item.Name + CanarySuffix),
                new JsonObject { ["spec"] = new JsonObject { ["replicas"] = canary } }, CanaryManager, cancellationToken);
            if (!ok)
            {
                throw new InvalidOperationException($"scaling {item.Name}{CanarySuffix} failed: {detail}");
            }
            notes.Add($"{item.Name}{CanarySuffix} has {canary} replica(s) beside {stable} of {item.Name} (about {100 * canary / (canary + stable)}% of the Pods; weights by replicas are approximate)");
        }
        return string.Join("; ", notes);
    }

    /// <summary>Puts the route's rules back: those of <paramref name="rendered"/> when the release has the route, else those it had before the canary.</summary>
    private static async Task<string> RestoreRouteAsync(Cluster cluster, string ns, string name, JsonObject live, JsonObject? rendered, CancellationToken cancellationToken)
    {
        var rules = rendered?["spec"]?["rules"]?.DeepClone()
            ?? (live["metadata"]?["annotations"]?[RulesAnnotation] is JsonValue kept ? JsonNode.Parse(kept.ToString()) : null);
        if (rules is null)
        {
            return $"HTTPRoute {name} had no weights of Onward's";
        }
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [WeightAnnotation] = null, [RulesAnnotation] = null } },
            ["spec"] = new JsonObject { ["rules"] = rules },
        };
        var (ok, detail) = await KubernetesRequests.MergePatchAsync(cluster.Client, RoutePath(ns, name), patch, CanaryManager, cancellationToken);
        return ok ? $"HTTPRoute {name} sends every request to the running Services again" : throw new InvalidOperationException($"restoring HTTPRoute {name} failed: {detail}");
    }

    private static async Task<string> DeleteCanaryAsync(Cluster cluster, string ns, List<RenderedObject> objects, CancellationToken cancellationToken)
    {
        var deleted = new List<string>();
        foreach (var item in objects.Where(o => o.Kind.Is("apps", "Deployment") || o.Kind.Is("", "Service")))
        {
            var kind = item.Kind.Is("", "Service") ? ResourceMapping.Services : ResourceMapping.Deployments;
            // A release's Service without a twin answers "already gone".
            if (await KubernetesRequests.DeleteAsync(cluster.Client, kind, ns, item.Name + CanarySuffix, cancellationToken) is (true, "deleted"))
            {
                deleted.Add($"{kind.Kind}/{item.Name}{CanarySuffix}");
            }
        }
        return deleted.Count == 0 ? "no canary objects were left" : $"deleted {string.Join(", ", deleted)}";
    }

    /// <summary>
    /// At 100 %: the release is applied as usual while the canary serves every request, its rollout is waited for, then
    /// the route goes back to what the release says and the canary's copies are deleted.
    /// </summary>
    private async Task<List<string>> FinishCanaryAsync(TargetContext context, CancellationToken cancellationToken)
    {
        var cluster = _clusters.For(context.Environment);
        var ns = context.Environment.Target.Kubernetes!.Namespace;
        var objects = await LoadAsync(context.Deployment.Id, cancellationToken) ?? throw new InvalidOperationException("the manifests this deployment rendered are not kept");
        var (filled, left) = await WithSecretsAsync(context, context.Release, context.Deployment.Id, objects, cancellationToken);
        var routeName = context.Canary!.Route;
        bool IsRoute(RenderedObject o) => routeName is not null && o.Kind.Is("gateway.networking.k8s.io", "HTTPRoute") && o.Name == routeName;
        var release = filled.Where(o => o.Hook is null && !IsRoute(o)).ToList();
        if (await ApplyAllAsync(cluster, release, context.Service.Deploy.SecretKinds, cancellationToken) is StepResult.Failed failed)
        {
            throw new InvalidOperationException($"applying {context.Release.Version} after its canary failed: {failed.Reason}");
        }
        var deadline = _time.GetUtcNow() + context.Service.VerifyTimeout;
        while (true)
        {
            var rollout = await WatchRolloutAsync(context, release, deadline, cancellationToken);
            if (rollout is StepResult.Failed f)
            {
                throw new InvalidOperationException($"{context.Release.Version} did not roll out after its canary (the canary keeps serving): {f.Reason}");
            }
            if (rollout is StepResult.Succeeded)
            {
                break;
            }
            await Task.Delay(RolloutCheck, cancellationToken);
        }
        var notes = new List<string> { $"applied {context.Release.Version} ({release.Count} objects) and it rolled out while the canary served" };
        notes.AddRange(left);
        var postHooks = filled.Where(o => o.Hook?.RunsAt(context.Previous is null, pre: false) is not null).ToList();
        if (await RunHooksAsync(context, cluster, postHooks, pre: false, notes, cancellationToken) is StepResult.Failed hookFailed)
        {
            notes.Add($"a post-upgrade hook failed: {hookFailed.Reason}");
        }
        var renderedRoute = filled.FirstOrDefault(IsRoute);
        if (renderedRoute is not null && await ApplyOneAsync(cluster, renderedRoute, context.Service.Deploy.SecretKinds, cancellationToken) is StepResult.Failed routeFailed)
        {
            throw new InvalidOperationException($"applying HTTPRoute {routeName} after the canary failed (the canary keeps serving): {routeFailed.Reason}");
        }
        if (routeName is not null && await KubernetesRequests.GetAsync(cluster.Client, RoutePath(ns, routeName), cancellationToken) is { } live)
        {
            // Applied, the route may still hold the canary's backendRef (another manager's): its rules are set as the release has them.
            notes.Add(await RestoreRouteAsync(cluster, ns, routeName, live, renderedRoute?.Body, cancellationToken));
        }
        notes.Add(await DeleteCanaryAsync(cluster, ns, objects, cancellationToken));
        return notes;
    }

    /// <summary>The route's rules, whose backendRefs are Onward's while it carries the canary's weight annotation.</summary>
    private static IEnumerable<string> CanaryOwned(RenderedObject item, JsonObject? live)
    {
        if (!item.Kind.Is("gateway.networking.k8s.io", "HTTPRoute") || live?["metadata"]?["annotations"]?[WeightAnnotation] is null)
        {
            return [];
        }
        return ["spec.rules"];
    }
}
