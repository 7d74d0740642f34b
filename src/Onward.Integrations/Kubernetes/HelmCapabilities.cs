using System.Text.Json.Nodes;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// What <c>helm template</c> is told of the cluster so that a chart's <c>.Capabilities</c> answer as under
/// <c>helm install</c>: the server's version and every API group-version it serves, from its discovery.
/// </summary>
public sealed record HelmCapabilities(string? KubeVersion, IReadOnlyList<string> ApiVersions)
{
    /// <param name="discovery">The cluster's discovery, whose kept resource lists give each group-version's kinds.</param>
    public static async Task<HelmCapabilities> ReadAsync(k8s.Kubernetes client, ApiDiscovery discovery, CancellationToken cancellationToken)
    {
        var version = (await KubernetesRequests.ReadAsync(client, "/version", cancellationToken)).Body?["gitVersion"] as JsonValue;
        var core = (await KubernetesRequests.ReadAsync(client, "/api", cancellationToken)).Body?["versions"] as JsonArray ?? [];
        var groups = (await KubernetesRequests.ReadAsync(client, "/apis", cancellationToken)).Body?["groups"] as JsonArray ?? [];
        var groupVersions = core.Select(v => v?.ToString())
            .Concat(groups.OfType<JsonObject>().SelectMany(g => (g["versions"] as JsonArray ?? []).Select(v => (v?["groupVersion"] as JsonValue)?.ToString())))
            .OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        // As helm install does: each group-version, and each with the kinds it serves ("apps/v1/Deployment").
        var versions = new List<string>(groupVersions);
        foreach (var groupVersion in groupVersions)
        {
            try
            {
                versions.AddRange((await discovery.KindsAsync(groupVersion, cancellationToken)).Select(kind => $"{groupVersion}/{kind}"));
            }
            catch (KubernetesException)
            {
                // A group-version the server cannot list now is offered without its kinds, as its version alone.
            }
        }
        versions.Sort(StringComparer.Ordinal);
        // helm takes a semantic version: "v1.32.0-eks-1234" is cut to what it parses.
        var kube = version?.ToString() is { } text ? text.Split('-', '+')[0] : null;
        return new HelmCapabilities(kube, versions);
    }

    public IEnumerable<string> Arguments()
    {
        if (KubeVersion is not null)
        {
            yield return "--kube-version";
            yield return KubeVersion;
        }
        foreach (var apiVersion in ApiVersions)
        {
            yield return "--api-versions";
            yield return apiVersion;
        }
    }
}
