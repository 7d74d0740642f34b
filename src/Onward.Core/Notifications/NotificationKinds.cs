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

    public static readonly IReadOnlyList<string> All =
        [AwaitingApproval, Succeeded, Failed, Blocked, Restored, BuildFailed, FreezeStarted, FreezeEnded, FlagChanged];

    /// <summary>What a deployment's change of state tells, if anything: entering a state people act on or watch, or a restore completed.</summary>
    public static string? OfDeployment(DeploymentState? from, DeploymentState to, RestoreState? restore) =>
        restore == RestoreState.Done ? Restored
        : from == to ? null
        : to switch
        {
            DeploymentState.AwaitingApproval => AwaitingApproval,
            DeploymentState.Succeeded => Succeeded,
            DeploymentState.Failed => Failed,
            DeploymentState.Blocked => Blocked,
            _ => null,
        };
}
