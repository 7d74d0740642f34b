namespace Onward.Core.Notifications;

/// <summary>What became of sending one event to one sink.</summary>
public enum NotificationState
{
    Pending,
    Sent,
    Failed,
}

public sealed record NotificationDelivery(
    long Id,
    NotificationEvent Event,
    string Sink,
    NotificationState State,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset NextAt,
    DateTimeOffset? SentAt,
    int? LastStatus,
    string? LastError);

/// <summary>
/// A deployment on the git host as Onward knows it: when the host was first asked to make it, and the host's id of it,
/// null until the host's answer with the id was kept.
/// </summary>
public sealed record HostDeployment(string? HostId, DateTimeOffset AskedAt);

/// <summary>How a send went: delivered, worth trying again (down, 5xx, 429, timeout), or refused for good (4xx).</summary>
public sealed record SendOutcome(bool Delivered, bool Retry, int? Status, string? Error)
{
    public static SendOutcome Sent(int status) => new(true, false, status, null);

    public static SendOutcome Again(int? status, string error) => new(false, true, status, error);

    public static SendOutcome Refused(int status, string error) => new(false, false, status, error);
}
