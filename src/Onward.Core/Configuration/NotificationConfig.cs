using Onward.Contracts.Notifications;
using Onward.Core.Notifications;

namespace Onward.Core.Configuration;

/// <summary>Where a notification goes: a Slack-compatible incoming webhook, or a generic JSON webhook signed with a secret.</summary>
public enum NotificationSinkKind
{
    Slack,
    Webhook,
}

/// <summary>
/// One entry of <c>notifications</c>: a sink and the events it wants. <see cref="Url"/> and <see cref="Secret"/> are
/// secrets (a Slack webhook URL is its own credential): they are never shown, only <see cref="Name"/> and the host.
/// </summary>
public sealed record NotificationConfig(string Name, NotificationSinkKind Kind, Uri Url, string? Secret)
{
    /// <summary>The events wanted; all when empty.</summary>
    public IReadOnlySet<NotificationKind> Events { get; init; } = new HashSet<NotificationKind>();

    /// <summary>Only events of these services (events of no service pass); all when empty.</summary>
    public IReadOnlySet<string> Services { get; init; } = new HashSet<string>();

    /// <summary>Only events in these environments (events of no environment pass); all when empty.</summary>
    public IReadOnlySet<string> Environments { get; init; } = new HashSet<string>();

    /// <summary>The wait before the first retry of a failed send; each retry waits twice as long, for up to a day.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromSeconds(30);

    public bool Wants(NotificationKind kind, string? service, string? environment) =>
        (Events.Count == 0 ? NotificationKinds.All.Contains(kind) : Events.Contains(kind))
        && (service is null || Services.Count == 0 || Services.Contains(service))
        && (environment is null || Environments.Count == 0 || Environments.Contains(environment));
}
