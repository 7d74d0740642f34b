using System.Text.Json;
using System.Text.Json.Nodes;
using Onward.Core.Configuration;
using Onward.Core.Releases;
using Onward.Integrations.Git;
using YamlDotNet.Core;
using Onward.Core.Images;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// Reads a service's manifests from its repository at the release's exact commit and makes them this deployment's:
/// the service's image pinned by digest in every container and init container that uses it, Onward's labels and
/// annotations on every object, the environment's namespace where none is given. Anything wrong is reported before
/// a single object is applied.
/// </summary>
public static class ManifestRenderer
{
    public const string ManagedBy = "app.kubernetes.io/managed-by";

    public static async Task<(List<RenderedObject> Objects, string? Error)> RenderAsync(
        string mirror, Release release, ServiceConfig service, EnvironmentConfig environment, long deploymentId, CancellationToken cancellationToken)
    {
        var directory = service.Deploy.Manifests!.Trim('/');
        var files = await ManifestFiles.ReadAsync(mirror, release.Commit, directory, cancellationToken);
        if (files.Count == 0)
        {
            return ([], $"there are no manifests (*.yaml, *.yml, *.json) in {directory}/ at {Release.ShortHash(release.Commit)}; set `deploy.manifests` to the directory that holds them");
        }
        var objects = new List<(RenderedObject Object, int Position)>();
        var position = 0;
        foreach (var (file, text) in files)
        {
            List<JsonNode?> documents;
            try
            {
                documents = file.EndsWith(".json", StringComparison.Ordinal) ? [JsonNode.Parse(text)] : YamlDocuments.Read(text);
            }
            catch (Exception e) when (e is YamlException or JsonException)
            {
                return ([], $"{file}: not valid {(file.EndsWith(".json", StringComparison.Ordinal) ? "JSON" : "YAML")}: {e.Message}");
            }
            var index = 0;
            foreach (var document in documents.SelectMany(Expand))
            {
                index++;
                if (document is not JsonObject body)
                {
                    continue;
                }
                var apiVersion = (body["apiVersion"] as JsonValue)?.ToString();
                var kindName = (body["kind"] as JsonValue)?.ToString();
                var name = (body["metadata"]?["name"] as JsonValue)?.ToString();
                var where = $"{file} (document {index})";
                if (apiVersion is null || kindName is null || string.IsNullOrEmpty(name))
                {
                    return ([], $"{where}: every object needs `apiVersion`, `kind` and `metadata.name`");
                }
                if (KnownKinds.Find(apiVersion, kindName) is not { } kind)
                {
                    return ([], $"{where}: unknown kind {kindName} ({apiVersion}); Onward applies {string.Join(", ", KnownKinds.All.Select(k => $"{k.Kind} ({k.ApiVersion})"))}");
                }
                var ns = kind.Namespaced ? (body["metadata"]?["namespace"] as JsonValue)?.ToString() ?? environment.Target.Kubernetes!.Namespace : null;
                Stamp(body, ns, release, service, environment, deploymentId);
                objects.Add((new RenderedObject(kind, ns, name, body), position++));
            }
        }
        var image = service.Build.ImageRepository!;
        var pinned = objects.Sum(o => PinImages(o.Object.Body, image, release));
        if (pinned == 0)
        {
            return ([], $"the manifests in {directory}/ never use the service's image {image}; a container needs `image: {image}` (any tag: Onward pins the release's digest)");
        }
        return (objects.OrderBy(o => o.Object.Kind.Order).ThenBy(o => o.Position).Select(o => o.Object).ToList(), null);
    }

    private static IEnumerable<JsonNode?> Expand(JsonNode? document) =>
        document is JsonObject list && (list["kind"] as JsonValue)?.ToString() == "List" && list["items"] is JsonArray items ? items.Select(i => i?.DeepClone()) : [document];

    private static void Stamp(JsonObject body, string? ns, Release release, ServiceConfig service, EnvironmentConfig environment, long deploymentId)
    {
        if (body["metadata"] is not JsonObject metadata)
        {
            metadata = new JsonObject();
            body["metadata"] = metadata;
        }
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }
        if (metadata["labels"] is not JsonObject labels)
        {
            labels = new JsonObject();
            metadata["labels"] = labels;
        }
        labels[ManagedBy] = "onward";
        labels["onward.dev/service"] = service.Name;
        labels["onward.dev/environment"] = environment.Name;
        if (metadata["annotations"] is not JsonObject annotations)
        {
            annotations = new JsonObject();
            metadata["annotations"] = annotations;
        }
        annotations["onward.dev/version"] = release.Version;
        annotations["onward.dev/commit"] = release.Commit;
        annotations["onward.dev/deployment-id"] = deploymentId.ToString();
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
                            if ((container["image"] as JsonValue)?.ToString() is { } current && ImageReference.TryParse(current, out var reference, out _) && reference.Name == image)
                            {
                                container["image"] = $"{image}@{release.Digest}";
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
}
