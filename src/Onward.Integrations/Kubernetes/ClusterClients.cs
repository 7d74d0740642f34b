using System.Collections.Concurrent;
using k8s;
using Microsoft.Extensions.Logging;
using Onward.Core.Configuration;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// One connection per cluster (and set of credentials), shared by every environment on it: a KubernetesClient, the
/// cluster's discovery and its shared watches.
/// </summary>
public sealed class ClusterClients(TimeProvider time, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Cluster>> _clusters = new(StringComparer.Ordinal);

    /// <summary>Called once for every cluster connected, so that its watches have a listener from the start.</summary>
    public event Action<Cluster>? Connected;

    public Cluster For(EnvironmentConfig environment)
    {
        var target = environment.Target.Kubernetes!;
        return _clusters.GetOrAdd(target.ClusterKey, _ => new Lazy<Cluster>(() =>
        {
            var client = new k8s.Kubernetes(Configuration(target));
            var cluster = new Cluster(client, new ApiDiscovery(client, time), new ClusterCache(client, loggers.CreateLogger<ClusterCache>()));
            Connected?.Invoke(cluster);
            return cluster;
        })).Value;
    }

    /// <summary>Closes the watches on the cluster of <paramref name="clusterKey"/>, if it is connected.</summary>
    public async Task CloseWatchesAsync(string clusterKey)
    {
        if (_clusters.TryGetValue(clusterKey, out var cluster) && cluster.IsValueCreated)
        {
            await cluster.Value.Cache.CloseAllAsync();
        }
    }

    public IEnumerable<Cluster> All => _clusters.Values.Where(c => c.IsValueCreated).Select(c => c.Value);

    public async ValueTask DisposeAsync()
    {
        foreach (var cluster in All)
        {
            await cluster.Cache.DisposeAsync();
            cluster.Client.Dispose();
        }
    }

    private static KubernetesClientConfiguration Configuration(KubernetesTargetConfig target)
    {
        if (target.Server is not null)
        {
            return new KubernetesClientConfiguration { Host = target.Server, AccessToken = target.Token };
        }
        if (target.InCluster)
        {
            return KubernetesClientConfiguration.InClusterConfig();
        }
        return KubernetesClientConfiguration.BuildConfigFromConfigFile(target.Kubeconfig, target.Context);
    }
}
