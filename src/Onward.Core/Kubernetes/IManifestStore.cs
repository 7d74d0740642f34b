namespace Onward.Core.Kubernetes;

/// <summary>
/// What was rendered and applied for each deployment to a cluster, kept so that a person can see exactly what was
/// applied, and so that a restore, a prune or a drift check works from it on any server. Implemented by Onward.Storage.
/// </summary>
public interface IManifestStore
{
    /// <summary>Keeps the deployment's rendered objects (a JSON document); saving again replaces them.</summary>
    Task SaveAsync(long deploymentId, string rendered, CancellationToken cancellationToken);

    /// <summary>The deployment's rendered objects as saved, or null when it has none.</summary>
    Task<string?> GetAsync(long deploymentId, CancellationToken cancellationToken);

    /// <summary>Deployments whose kept objects were saved before secret values were masked (saving masks them for good).</summary>
    Task<IReadOnlyList<(long DeploymentId, string Service)>> UnmaskedAsync(int limit, CancellationToken cancellationToken);
}
