using Onward.Contracts.Deployments;
using Onward.Contracts.Notifications;
using Onward.Core.Deployments;

namespace Onward.Core.Notifications;

/// <summary>The events Onward tells about (<see cref="NotificationKind"/>): their names, which of them people subscribe to, and which a git host hears of.</summary>
public static class NotificationKinds
{
    private static readonly Dictionary<NotificationKind, string> Names = new()
    {
        [NotificationKind.AwaitingApproval] = "deployment.awaiting-approval",
        [NotificationKind.Succeeded] = "deployment.succeeded",
        [NotificationKind.Failed] = "deployment.failed",
        [NotificationKind.Blocked] = "deployment.blocked",
        [NotificationKind.Restored] = "deployment.restored",
        [NotificationKind.BuildFailed] = "release.build-failed",
        [NotificationKind.FreezeStarted] = "freeze.started",
        [NotificationKind.FreezeEnded] = "freeze.ended",
        [NotificationKind.FlagChanged] = "flag.changed",
        [NotificationKind.BuildStarted] = "release.build-started",
        [NotificationKind.Built] = "release.built",
        [NotificationKind.Started] = "deployment.started",
        [NotificationKind.Ended] = "deployment.ended",
        [NotificationKind.CanaryStep] = "deployment.canary.step",
        [NotificationKind.CanaryFailed] = "deployment.canary.failed",
        [NotificationKind.Retired] = "deployment.retired",
    };

    private static readonly Dictionary<string, NotificationKind> ByName = Names.ToDictionary(n => n.Value, n => n.Key, StringComparer.Ordinal);

    /// <summary>The kind's name, as configuration, webhooks, the API and the outbox write it (<c>deployment.succeeded</c>).</summary>
    public static string Name(this NotificationKind kind) => Names[kind];

    /// <exception cref="FormatException">Not the name of a kind.</exception>
    public static NotificationKind Parse(string name) =>
        ByName.TryGetValue(name, out var kind) ? kind : throw new FormatException($"'{name}' is not a notification event");

    /// <summary>What <c>notifications.NAME.events</c> may name, and what a notification without <c>events</c> gets.</summary>
    public static readonly IReadOnlyList<NotificationKind> All =
    [
        NotificationKind.AwaitingApproval, NotificationKind.Succeeded, NotificationKind.Failed, NotificationKind.Blocked, NotificationKind.Restored,
        NotificationKind.BuildFailed, NotificationKind.FreezeStarted, NotificationKind.FreezeEnded, NotificationKind.FlagChanged,
        NotificationKind.CanaryStep, NotificationKind.CanaryFailed,
    ];

    /// <summary>What becomes a commit status on the git host (<c>services.S.report</c>).</summary>
    public static readonly IReadOnlySet<NotificationKind> Reported = new HashSet<NotificationKind>(
    [
        NotificationKind.BuildStarted, NotificationKind.Built, NotificationKind.BuildFailed, NotificationKind.AwaitingApproval, NotificationKind.Started,
        NotificationKind.Succeeded, NotificationKind.Failed, NotificationKind.Blocked, NotificationKind.Ended,
    ]);

    /// <summary>
    /// What a deployment's change of state tells, if anything: entering a state people act on or watch, a restore
    /// completed, or an end without deploying (<see cref="NotificationKind.Ended"/>, which the store tells only of a
    /// deployment it told something of before: one that was only ever queued ends unseen).
    /// </summary>
    public static NotificationKind? OfDeployment(DeploymentState? from, DeploymentState to, RestoreState? restore) =>
        restore == RestoreState.Done ? NotificationKind.Restored
        : from == to ? null
        : to switch
        {
            DeploymentState.AwaitingApproval => NotificationKind.AwaitingApproval,
            DeploymentState.Applying => NotificationKind.Started,
            DeploymentState.Succeeded => NotificationKind.Succeeded,
            DeploymentState.Failed => NotificationKind.Failed,
            DeploymentState.Blocked => NotificationKind.Blocked,
            DeploymentState.Rejected or DeploymentState.Superseded or DeploymentState.Cancelled when from is not null => NotificationKind.Ended,
            _ => (NotificationKind?)null,
        };
}
