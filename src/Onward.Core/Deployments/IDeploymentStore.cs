using Onward.Contracts.Deployments;
namespace Onward.Core.Deployments;

/// <summary>Deployments and their event log, durably. Implemented by Onward.Storage.</summary>
public interface IDeploymentStore
{
    /// <summary>
    /// Records the deployment with its first event; a queued one also gets its job, and supersedes older queued
    /// deployments of the same service and environment, all in one transaction.
    /// </summary>
    Task<Deployment> AddAsync(NewDeployment deployment, DateTimeOffset now, CancellationToken cancellationToken);

    Task<Deployment?> GetAsync(long id, CancellationToken cancellationToken);

    Task<IReadOnlyList<Deployment>> ListAsync(DeploymentQuery query, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeploymentEvent>> EventsAsync(long id, CancellationToken cancellationToken);

    /// <summary>Applies the transition if the deployment is still in its <c>From</c> state; false otherwise.</summary>
    Task<bool> TransitionAsync(long id, Transition transition, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Keeps what a verification last heard, while the deployment is still in <paramref name="state"/>; the new text is
    /// also an event in its timeline when it differs from the one kept.
    /// </summary>
    /// <returns>Whether the text changed.</returns>
    Task<bool> SetProgressAsync(long id, DeploymentState state, string progress, string actor, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Appends an event without changing the state (progress, notes).</summary>
    Task AppendEventAsync(long id, string actor, string message, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The environment's current deployment: the last one that succeeded there.</summary>
    Task<Deployment?> CurrentAsync(string service, string environment, CancellationToken cancellationToken);

    /// <summary>The current deployment of every service and environment pair that has one.</summary>
    Task<IReadOnlyList<Deployment>> CurrentAllAsync(CancellationToken cancellationToken);

    /// <summary>The newest deployment of every service and environment pair.</summary>
    Task<IReadOnlyList<Deployment>> LatestAllAsync(CancellationToken cancellationToken);

    /// <summary>Whether the release has succeeded in the environment at some point.</summary>
    Task<bool> HasSucceededAsync(long releaseId, string environment, CancellationToken cancellationToken);

    /// <summary>
    /// A turn, across replicas, to decide what continuous delivery deploys of a service (which builds are older than
    /// one already on its way), held until disposed.
    /// </summary>
    Task<IAsyncDisposable> DeliveryTurnAsync(string service, CancellationToken cancellationToken);
}
