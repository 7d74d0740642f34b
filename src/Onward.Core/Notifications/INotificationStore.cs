namespace Onward.Core.Notifications;

/// <summary>
/// The notifications outbox. Events are written by the stores in the transaction of the change they tell about
/// (a deployment's state, a failed build, a freeze, a flag change); here they are fanned out to the sinks that want
/// them, and each delivery is claimed with a lease, so that one replica at a time sends it.
/// </summary>
public interface INotificationStore
{
    /// <summary>Gives every event not fanned out yet a delivery per sink that wants it (once, whichever replica does it); answers how many events.</summary>
    Task<int> FanOutAsync(Func<NotificationEvent, IEnumerable<string>> sinks, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deliveries due now, leased to <paramref name="owner"/> until <paramref name="now"/> + <paramref name="lease"/>.</summary>
    Task<IReadOnlyList<NotificationDelivery>> ClaimAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken);

    /// <summary>Records an attempt: sent, failed for good, or (with <paramref name="retryAt"/>) to be tried again then.</summary>
    Task RecordAsync(long id, string owner, SendOutcome outcome, DateTimeOffset now, DateTimeOffset? retryAt, CancellationToken cancellationToken);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<NotificationDelivery>> ListAsync(int limit, long? before, string? sink, NotificationState? state, CancellationToken cancellationToken);

    /// <summary>When the next pending delivery is due, or null when none is.</summary>
    Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken);
}
