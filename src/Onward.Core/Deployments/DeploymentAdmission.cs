using Onward.Contracts.Deployments;
using Onward.Core.Notifications;

namespace Onward.Core.Deployments;

/// <summary>
/// What recording a new deployment does besides storing it: a release is promoted to an environment once (rule 6 of
/// docs/ARCHITECTURE.md), and a new request supersedes the older ones still waiting for the same service and environment (rule 7). These
/// are pure rules; <see cref="AdmitAsync"/> takes their steps in order through a store's <see cref="IAdmissionSteps"/>,
/// inside the transaction that records the deployment, so that two requests at the same moment cannot both win.
/// </summary>
public static class DeploymentAdmission
{
    /// <summary>
    /// Records <paramref name="deployment"/>: a promotion made before stands for it; otherwise it is stored with its
    /// first event, the older requests it supersedes end, it gets its job when it waits, and it is told when it is news.
    /// </summary>
    /// <returns>The deployment's id, and whether it is one recorded before (a repeated promotion).</returns>
    public static async Task<(long Id, bool Repeated)> AdmitAsync(IAdmissionSteps steps, NewDeployment deployment, CancellationToken cancellationToken)
    {
        var promoted = deployment.Trigger == DeploymentTrigger.Promotion ? await steps.PromotedBeforeAsync(deployment, cancellationToken) : null;
        if (IsRepeatedPromotion(deployment, promoted))
        {
            return (promoted!.Value, true);
        }
        var id = await steps.InsertAsync(deployment, cancellationToken);
        var waits = Supersedes(deployment);
        var older = waits ? await steps.WaitingBeforeAsync(deployment, id, cancellationToken) : [];
        var first = FirstMessage(deployment, older.Select(o => o.Id).ToList());
        await steps.AddEventAsync(id, deployment.State, deployment.RequestedBy, first, cancellationToken);
        if (waits)
        {
            foreach (var (olderId, olderState) in older)
            {
                await steps.TransitionAsync(olderId, Supersession(olderState, id, deployment), cancellationToken);
            }
            await steps.EnqueueAsync(id, cancellationToken);
        }
        // Told after the ends of those it supersedes: a request of the same commit again must leave its status waiting, not ended.
        if (NotificationKinds.OfDeployment(null, deployment.State, null) is { } told)
        {
            await steps.TellAsync(told, id, deployment.RequestedBy, deployment.Reason ?? first, cancellationToken);
        }
        return (id, false);
    }

    /// <summary>Whether a deployment recorded before stands for this one: a promotion of the same release to the same environment.</summary>
    public static bool IsRepeatedPromotion(NewDeployment deployment, long? promotedBefore) =>
        deployment.Trigger == DeploymentTrigger.Promotion && promotedBefore is not null;

    /// <summary>Whether the new deployment replaces older ones waiting for its service and environment: it waits itself.</summary>
    public static bool Supersedes(NewDeployment deployment) => DeploymentStates.Waiting.Contains(deployment.State);

    /// <summary>The first event of the new deployment, naming what it supersedes.</summary>
    public static string FirstMessage(NewDeployment deployment, IReadOnlyList<long> superseded)
    {
        var waits = Supersedes(deployment);
        var message = waits
            ? $"requested ({deployment.Trigger.ToString().ToLowerInvariant()}){(deployment.Reason is null ? "" : ": " + deployment.Reason)}"
            : deployment.Reason ?? deployment.State.ToString();
        if (deployment.Override is not null)
        {
            message += $"; policies overridden: {deployment.Override}";
        }
        if (deployment.Waiting is not null && waits)
        {
            message += deployment.State == DeploymentState.AwaitingApproval ? $"; waits for {deployment.Waiting}" : $"; waits: {deployment.Waiting}";
        }
        if (superseded.Count > 0)
        {
            message += $"; supersedes deployment{(superseded.Count == 1 ? "" : "s")} {string.Join(", ", superseded)}";
        }
        return message;
    }

    /// <summary>How an older waiting deployment ends when <paramref name="deployment"/> (recorded as <paramref name="newId"/>) replaces it.</summary>
    public static Transition Supersession(DeploymentState olderState, long newId, NewDeployment deployment) =>
        new(olderState, DeploymentState.Superseded, deployment.RequestedBy,
            $"superseded by deployment {newId} ({deployment.Trigger.ToString().ToLowerInvariant()} request of {deployment.RequestedBy})")
        {
            Reason = $"superseded by deployment {newId}",
        };
}
