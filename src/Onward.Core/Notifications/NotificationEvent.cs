using Onward.Contracts.Notifications;

namespace Onward.Core.Notifications;

/// <summary>Something that happened, kept in the outbox with the change itself; each sink that wants it gets a delivery.</summary>
public sealed record NotificationEvent(
    long Id,
    NotificationKind Kind,
    string? Service,
    string? Environment,
    string? Version,
    string? Commit,
    long? DeploymentId,
    long? ReleaseId,
    string Actor,
    string Message,
    DateTimeOffset At)
{
    /// <summary>Longest message kept with an event; a longer one (a long diagnosis) is cut, and says so.</summary>
    public const int LongestMessage = 2000;

    public static string Bounded(string message) =>
        message.Length <= LongestMessage ? message : message[..(LongestMessage - 20)] + " … (cut; see Onward)";
}
