using Onward.Contracts.Notifications;
using Onward.Contracts.Deployments;

namespace Onward.Core.Deployments;

/// <summary>
/// What a store does, inside the transaction that records a new deployment, for <see cref="DeploymentAdmission.AdmitAsync"/>;
/// the order of the steps is the admission's.
/// </summary>
public interface IAdmissionSteps
{
    /// <summary>The deployment promoting the same release to the same environment before, if any.</summary>
    Task<long?> PromotedBeforeAsync(NewDeployment deployment, CancellationToken cancellationToken);

    /// <summary>Stores the deployment (without events); its id.</summary>
    Task<long> InsertAsync(NewDeployment deployment, CancellationToken cancellationToken);

    /// <summary>The deployments of the same service and environment recorded before <paramref name="id"/> that still wait, oldest first.</summary>
    Task<IReadOnlyList<(long Id, DeploymentState State)>> WaitingBeforeAsync(NewDeployment deployment, long id, CancellationToken cancellationToken);

    Task AddEventAsync(long id, DeploymentState state, string actor, string message, CancellationToken cancellationToken);

    Task TransitionAsync(long id, Transition transition, CancellationToken cancellationToken);

    /// <summary>Adds the deployment's job.</summary>
    Task EnqueueAsync(long id, CancellationToken cancellationToken);

    /// <summary>Adds a notification event of <paramref name="kind"/> about the deployment.</summary>
    Task TellAsync(NotificationKind kind, long id, string actor, string message, CancellationToken cancellationToken);
}
