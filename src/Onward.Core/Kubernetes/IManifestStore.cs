namespace Onward.Core.Kubernetes;

/// <summary>
/// What was rendered and applied for each deployment to a cluster, kept so that a person can see exactly what was
/// applied, and so that a restore, a prune or a drift check works from it on any server. Implemented by Onward.Storage.
/// </summary>
public interface IManifestStore
{
    /// <summary>Keeps the deployment's rendered objects (a JSON document); saving again replaces them.</summary>
    /// <param name="maskedWith">The <see cref="SecretKind.Signature"/> of the kinds whose values were kept out.</param>
    /// <returns>Whether it was saved: false when there is no such deployment.</returns>
    Task<bool> SaveAsync(long deploymentId, string rendered, string maskedWith, CancellationToken cancellationToken);

    /// <summary>The deployment's rendered objects as saved, or null when it has none.</summary>
    Task<string?> GetAsync(long deploymentId, CancellationToken cancellationToken);

    /// <summary>Every deployment with kept objects after <paramref name="after"/>, by id, with its service and how its objects were masked (null: never).</summary>
    Task<IReadOnlyList<(long DeploymentId, string Service, string? MaskedWith)>> ListAsync(long after, int limit, CancellationToken cancellationToken);

    /// <summary>Masks the values of <paramref name="secrets"/> in the deployment's reason, diagnosis and events (written before values were kept out).</summary>
    Task MaskTextAsync(long deploymentId, SecretText secrets, CancellationToken cancellationToken);
}
