using Onward.Contracts.Deployments;
using Onward.Core.Deployments;

namespace Onward.Core.Notifications;

/// <summary>The events Onward tells about, by the names <c>notifications.NAME.events</c> and the webhook's <c>type</c> use.</summary>
public static class NotificationKinds
{
    public const string AwaitingApproval = "deployment.awaiting-approval";
    public const string Succeeded = "deployment.succeeded";
    public const string Failed = "deployment.failed";
    public const string Blocked = "deployment.blocked";
    public const string Restored = "deployment.restored";
    public const string BuildFailed = "release.build-failed";
    public const string FreezeStarted = "freeze.started";
    public const string FreezeEnded = "freeze.ended";
    public const string FlagChanged = "flag.changed";

    /// <summary>A build started (for commit statuses only, not for notifications).</summary>
    public const string BuildStarted = "release.build-started";

    /// <summary>A build ended well (for commit statuses only).</summary>
    public const string Built = "release.built";

    /// <summary>A deployment started to apply (for commit statuses only).</summary>
    public const string Started = "deployment.started";

    /// <summary>
    /// A deployment that had been reported ended without being deployed: rejected, superseded or cancelled (for the git
    /// host only, so that its status and deployment there do not stay pending).
    /// </summary>
    public const string Ended = "deployment.ended";

    /// <summary>What <c>notifications.NAME.events</c> may name, and what a notification without <c>events</c> gets.</summary>
    public static readonly IReadOnlyList<string> All =
        [AwaitingApproval, Succeeded, Failed, Blocked, Restored, BuildFailed, FreezeStarted, FreezeEnded, FlagChanged];

    /// <summary>What becomes a commit status on the git host (<c>services.S.report</c>).</summary>
    public static readonly IReadOnlySet<string> Reported =
        new HashSet<string>([BuildStarted, Built, BuildFailed, AwaitingApproval, Started, Succeeded, Failed, Blocked, Ended], StringComparer.Ordinal);

    /// <summary>
    /// What a deployment's change of state tells, if anything: entering a state people act on or watch, a restore
    /// completed, or an end without deploying (<see cref="Ended"/>, which the store tells only of a deployment it told
    /// something of before: one that was only ever queued ends unseen).
    /// </summary>
    public static string? OfDeployment(DeploymentState? from, DeploymentState to, RestoreState? restore) =>
        restore == RestoreState.Done ? Restored
        : from == to ? null
        : to switch
        {
            DeploymentState.AwaitingApproval => AwaitingApproval,
            DeploymentState.Applying => Started,
            DeploymentState.Succeeded => Succeeded,
            DeploymentState.Failed => Failed,
            DeploymentState.Blocked => Blocked,
            DeploymentState.Rejected or DeploymentState.Superseded or DeploymentState.Cancelled when from is not null => Ended,
            _ => null,
        };
}
