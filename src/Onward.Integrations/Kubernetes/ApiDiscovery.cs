using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// The cluster's REST mapping, from its API discovery (https://kubernetes.io/docs/concepts/overview/kubernetes-api/#discovery-api),
/// the way kubectl's mapper works: each group-version's resource list is read once and kept, and read again when a
/// kind is not found in it (a CRD may have been installed since) or when it is old.
/// </summary>
public sealed class ApiDiscovery(k8s.Kubernetes client, TimeProvider time)
{
    private static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(10);

    // A miss reads the list again, but not more often than this: a release with many objects of an unknown kind asks once.
    private static readonly TimeSpan ReadAgainAfter = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, IReadOnlyList<ResourceMapping>? Resources)> _versions = new(StringComparer.Ordinal);

    /// <summary>How <paramref name="kind"/> of <paramref name="apiVersion"/> is served, or null when the cluster does not serve it.</summary>
    /// <exception cref="KubernetesException">The API server could not answer now.</exception>
    public async Task<ResourceMapping?> FindAsync(string apiVersion, string kind, CancellationToken cancellationToken)
    {
        var resources = await ResourcesAsync(apiVersion, readAgain: false, cancellationToken);
        return resources?.FirstOrDefault(r => r.Kind == kind)
            ?? (await ResourcesAsync(apiVersion, readAgain: true, cancellationToken))?.FirstOrDefault(r => r.Kind == kind);
    }

    /// <summary>What the cluster offers instead of an unknown kind, in a sentence for a person.</summary>
    public async Task<string> OffersAsync(string apiVersion, CancellationToken cancellationToken)
    {
        var resources = await ResourcesAsync(apiVersion, readAgain: false, cancellationToken);
        if (resources is not null)
        {
            return $"the cluster serves {string.Join(", ", resources.Select(r => r.Kind).Distinct().Order(StringComparer.Ordinal))} in {apiVersion}";
        }
        var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion.Split('/')[0] : "";
        var groups = await KubernetesRequests.ReadAsync(client, "/apis", cancellationToken);
        var served = (groups.Body?["groups"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(g => (g["name"] as JsonValue)?.ToString() == group);
        if (served is null)
        {
            return $"the cluster serves no API group {(group.Length == 0 ? "(core)" : group)}; install the CRD that defines it first, or add it to the manifests";
        }
        var versions = (served["versions"] as JsonArray ?? []).Select(v => (v?["groupVersion"] as JsonValue)?.ToString()).OfType<string>();
        return $"the cluster serves {group} only as {string.Join(", ", versions)}";
    }

    /// <summary>The kinds <paramref name="apiVersion"/> serves, from the resource list kept for it.</summary>
    /// <exception cref="KubernetesException">The API server could not answer now.</exception>
    public async Task<IReadOnlyList<string>> KindsAsync(string apiVersion, CancellationToken cancellationToken) =>
        (await ResourcesAsync(apiVersion, readAgain: false, cancellationToken))?.Select(r => r.Kind).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal).ToList() ?? [];

    /// <summary>Forgets what is known of <paramref name="apiVersion"/>, after a CRD that serves it was established.</summary>
    public void Forget(string apiVersion) => _versions.TryRemove(apiVersion, out _);

    private async Task<IReadOnlyList<ResourceMapping>?> ResourcesAsync(string apiVersion, bool readAgain, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_versions.TryGetValue(apiVersion, out var kept) && now - kept.At < KeptFor && (!readAgain || now - kept.At < ReadAgainAfter))
        {
            return kept.Resources;
        }
        var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion.Split('/')[0] : "";
        var version = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion.Split('/')[1] : apiVersion;
        var path = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
        var (status, body, message) = await KubernetesRequests.ReadAsync(client, path, cancellationToken);
        if (status is not (200 or 404))
        {
            throw new KubernetesException($"the API server answered {status} {message} to the discovery of {apiVersion}", status);
        }
        var resources = status == 404 ? null : (body?["resources"] as JsonArray ?? []).OfType<JsonObject>()
            // Subresources (deployments/status, pods/log) are not kinds of their own.
            .Where(r => (r["name"] as JsonValue)?.ToString() is { } name && !name.Contains('/', StringComparison.Ordinal))
            .Select(r => new ResourceMapping(group, version, (r["name"] as JsonValue)!.ToString(), (r["kind"] as JsonValue)?.ToString() ?? "",
                r["namespaced"] is JsonValue scoped && scoped.GetValue<bool>()))
            .ToList();
        _versions[apiVersion] = (now, resources);
        return resources;
    }
}
