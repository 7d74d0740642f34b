namespace Onward.Integrations.Kubernetes;

/// <summary>A connected cluster: its client, its API discovery and its shared watches.</summary>
public sealed record Cluster(k8s.Kubernetes Client, ApiDiscovery Discovery, ClusterCache Cache);
