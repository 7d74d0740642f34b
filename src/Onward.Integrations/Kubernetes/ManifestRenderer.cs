using System.Text.Json.Nodes;
using Onward.Core.Configuration;
using Onward.Core.Images;
using Onward.Core.Releases;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// Makes a release's manifest documents this deployment's objects, or says what is wrong before a single one is
/// applied: every object needs <c>apiVersion</c>, <c>kind</c> and a name, appears once, and is of a kind the cluster
/// serves (found through discovery, or defined by a CRD in the same release). Each object gets Onward's labels and
/// annotations, and so do the Pods of its workloads (that is how shared watches find them); the environment's namespace
/// where a namespaced object names none; the service's image pinned by digest in every container that uses it. The
/// objects come back in apply order.
/// </summary>
public static class ManifestRenderer
{
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string ServiceLabel = "onward.dev/service";
    public const string EnvironmentLabel = "onward.dev/environment";

    public static async Task<(List<RenderedObject> Objects, string? Error)> PrepareAsync(
        IReadOnlyList<ManifestDocument> documents, Release release, ServiceConfig service, EnvironmentConfig environment, long deploymentId,
        ApiDiscovery discovery, CancellationToken cancellationToken)
    {
        var bodies = new List<(ManifestDocument Document, JsonObject Body, string ApiVersion, string Kind, string Name)>();
        foreach (var document in documents)
        {
            if (document.Body is not JsonObject body)
            {
                return ([], $"{document.Source}: not a Kubernetes object (a mapping with apiVersion, kind and metadata)");
            }
            var apiVersion = Text(body["apiVersion"]);
            var kind = Text(body["kind"]);
            var name = Text(body["metadata"]?["name"]);
            var missing = new[] { ("apiVersion", apiVersion), ("kind", kind), ("metadata.name", name) }.Where(f => string.IsNullOrEmpty(f.Item2)).Select(f => $"`{f.Item1}`").ToList();
            if (missing.Count > 0)
            {
                return ([], $"{document.Source}: every object needs `apiVersion`, `kind` and `metadata.name`; this one has no {string.Join(" and no ", missing)}");
            }
            bodies.Add((document, (JsonObject)body.DeepClone(), apiVersion!, kind!, name!));
        }
        var defined = DefinedKinds(bodies.Select(b => b.Body));
        var objects = new List<RenderedObject>();
        var unknown = new List<string>();
        var seen = new Dictionary<(string, string?, string), string>();
        foreach (var (document, body, apiVersion, kindName, name) in bodies)
        {
            var kind = await discovery.FindAsync(apiVersion, kindName, cancellationToken) ?? defined.GetValueOrDefault((apiVersion, kindName));
            if (kind is null)
            {
                unknown.Add($"{document.Source}: the cluster does not know kind {kindName} ({apiVersion}): {await discovery.OffersAsync(apiVersion, cancellationToken)}");
                continue;
            }
            if (environment.Preview is not null && !kind.Namespaced && !(kind.Is("", "Namespace") && name == environment.Target.Kubernetes!.Namespace))
            {
                // A preview lives in its namespace: a cluster-wide object would be shared with (and overwrite) every environment's.
                return ([], $"{document.Source}: {kindName} {name} is cluster-wide, and a preview applies only into its own namespace; leave it out of previews (a `render` command sees ONWARD_PREVIEW_NUMBER set in a preview)");
            }
            // A preview's objects all go to its own namespace, whatever the manifests name.
            var ns = !kind.Namespaced ? null
                : environment.Preview is not null ? environment.Target.Kubernetes!.Namespace
                : Text(body["metadata"]?["namespace"]) ?? environment.Target.Kubernetes!.Namespace;
            Stamp(body, ns, release, service, environment, deploymentId);
            var item = new RenderedObject(kind, ns, name, body, document.Source);
            if (seen.TryGetValue(item.Identity, out var first))
            {
                return ([], $"{document.Source}: {item.Describe()} is already in {first}; each object may appear once");
            }
            seen[item.Identity] = document.Source;
            objects.Add(item);
        }
        if (unknown.Count > 0)
        {
            return ([], string.Join("; ", unknown.Take(5)) + (unknown.Count > 5 ? $"; and {unknown.Count - 5} more" : ""));
        }
        var image = service.Build.ImageRepository!;
        if (objects.Sum(o => PinImages(o.Body, image, release)) == 0)
        {
            return ([], $"the manifests never use the service's image {image}; a container needs `image: {image}` (any tag: Onward pins the release's digest)");
        }
        return (objects.Select((o, i) => (o, i)).OrderBy(p => ApplyOrder.Rank(p.o.Kind)).ThenBy(p => p.i).Select(p => p.o).ToList(), null);
    }

    /// <summary>The kinds that the release's own CRDs define, by apiVersion and kind, for every version they serve.</summary>
    private static Dictionary<(string ApiVersion, string Kind), ResourceMapping> DefinedKinds(IEnumerable<JsonObject> bodies)
    {
        var kinds = new Dictionary<(string, string), ResourceMapping>();
        foreach (var crd in bodies.Where(b => Text(b["apiVersion"]) == "apiextensions.k8s.io/v1" && Text(b["kind"]) == "CustomResourceDefinition"))
        {
            var group = Text(crd["spec"]?["group"]) ?? "";
            var plural = Text(crd["spec"]?["names"]?["plural"]) ?? "";
            var kind = Text(crd["spec"]?["names"]?["kind"]) ?? "";
            var namespaced = Text(crd["spec"]?["scope"]) != "Cluster";
            foreach (var version in (crd["spec"]?["versions"] as JsonArray ?? []).Select(v => Text(v?["name"])).OfType<string>())
            {
                kinds[($"{group}/{version}", kind)] = new ResourceMapping(group, version, plural, kind, namespaced);
            }
        }
        return kinds;
    }

    private static void Stamp(JsonObject body, string? ns, Release release, ServiceConfig service, EnvironmentConfig environment, long deploymentId)
    {
        var metadata = Map(body, "metadata");
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }
        else
        {
            metadata.Remove("namespace");
        }
        var labels = Map(metadata, "labels");
        labels[ManagedBy] = "onward";
        labels[ServiceLabel] = service.Name;
        labels[EnvironmentLabel] = environment.Name;
        var annotations = Map(metadata, "annotations");
        annotations["onward.dev/version"] = release.Version;
        annotations["onward.dev/commit"] = release.Commit;
        annotations["onward.dev/deployment-id"] = deploymentId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The Pods (and ReplicaSets) of a workload carry the service and environment too: the same on every release,
        // so no rollout is caused by them, and the shared watches select Onward's Pods by them.
        var template = body["spec"]?["template"] as JsonObject ?? body["spec"]?["jobTemplate"]?["spec"]?["template"] as JsonObject;
        if (template is not null && Text(body["kind"]) is "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet" or "Job" or "CronJob")
        {
            var podLabels = Map(Map(template, "metadata"), "labels");
            podLabels[ServiceLabel] = service.Name;
            podLabels[EnvironmentLabel] = environment.Name;
        }
    }

    /// <summary>Pins every container of the service's image to the release's digest; returns how many it pinned.</summary>
    private static int PinImages(JsonNode? node, string image, Release release)
    {
        var count = 0;
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in new[] { "containers", "initContainers" })
                {
                    if (obj[key] is JsonArray containers && obj.ContainsKey("containers"))
                    {
                        foreach (var container in containers.OfType<JsonObject>())
                        {
                            if (Text(container["image"]) is { } current && ImageReference.TryParse(current, out var reference, out _) && reference.Name == image)
                            {
                                container["image"] = reference.PinnedTo(release.Digest!).ToString();
                                count++;
                            }
                        }
                    }
                }
                foreach (var child in obj.Select(p => p.Value).ToList())
                {
                    count += PinImages(child, image, release);
                }
                break;
            case JsonArray array:
                foreach (var item in array.ToList())
                {
                    count += PinImages(item, image, release);
                }
                break;
        }
        return count;
    }

    private static JsonObject Map(JsonObject parent, string key)
    {
        if (parent[key] is not JsonObject map)
        {
            map = new JsonObject();
            parent[key] = map;
        }
        return map;
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
