using System.Collections.Concurrent;
using k8s;
using Onward.Core.Configuration;

namespace Onward.Integrations.Kubernetes;

/// <summary>One KubernetesClient per environment, built from how the environment says to reach its cluster.</summary>
public sealed class ClusterClients : IDisposable
{
    private readonly ConcurrentDictionary<string, k8s.Kubernetes> _clients = new(StringComparer.Ordinal);

    public k8s.Kubernetes For(EnvironmentConfig environment) =>
        _clients.GetOrAdd(environment.Name, _ => new k8s.Kubernetes(Configuration(environment.Target.Kubernetes!)));

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
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
