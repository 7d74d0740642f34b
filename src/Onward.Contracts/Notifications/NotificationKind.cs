using System.Text.Json.Serialization;

namespace Onward.Contracts.Notifications;

/// <summary>
/// What an event tells of, by the names <c>notifications.NAME.events</c>, a webhook's <c>type</c> and the API use
/// (<c>deployment.succeeded</c>, …).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<NotificationKind>))]
public enum NotificationKind
{
    [JsonStringEnumMemberName("deployment.awaiting-approval")]
    AwaitingApproval,

    [JsonStringEnumMemberName("deployment.succeeded")]
    Succeeded,

    [JsonStringEnumMemberName("deployment.failed")]
    Failed,

    [JsonStringEnumMemberName("deployment.blocked")]
    Blocked,

    [JsonStringEnumMemberName("deployment.restored")]
    Restored,

    [JsonStringEnumMemberName("release.build-failed")]
    BuildFailed,

    [JsonStringEnumMemberName("freeze.started")]
    FreezeStarted,

    [JsonStringEnumMemberName("freeze.ended")]
    FreezeEnded,

    [JsonStringEnumMemberName("flag.changed")]
    FlagChanged,

    /// <summary>A build started (for commit statuses only, not for notifications).</summary>
    [JsonStringEnumMemberName("release.build-started")]
    BuildStarted,

    /// <summary>A build ended well (for commit statuses only).</summary>
    [JsonStringEnumMemberName("release.built")]
    Built,

    /// <summary>A deployment started to apply (for commit statuses only).</summary>
    [JsonStringEnumMemberName("deployment.started")]
    Started,

    /// <summary>
    /// A deployment that had been reported ended without being deployed: rejected, superseded or cancelled (for the git
    /// host only, so that its status and deployment there do not stay pending).
    /// </summary>
    [JsonStringEnumMemberName("deployment.ended")]
    Ended,

    /// <summary>A canary's weight changed: a step began, or it reached 100 %.</summary>
    [JsonStringEnumMemberName("deployment.canary.step")]
    CanaryStep,

    /// <summary>A canary failed its analysis (or was aborted); its traffic went back to the running version.</summary>
    [JsonStringEnumMemberName("deployment.canary.failed")]
    CanaryFailed,

    /// <summary>A preview's environment was destroyed: its deployment runs no more (for the git host only, whose deployment becomes inactive).</summary>
    [JsonStringEnumMemberName("deployment.retired")]
    Retired,
}
