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

    /// <summary>
    /// Deliveries due now, leased to <paramref name="owner"/> until <paramref name="now"/> + <paramref name="lease"/>,
    /// oldest first. A delivery to a git host's sink (<see cref="NotificationSinks.KeepsCommitOrder"/>) waits while an
    /// older one of its sink about the same commit is pending and not claimed with it (due later, or being sent
    /// elsewhere), so that a commit's statuses keep their order.
    /// </summary>
    /// <param name="busy">Sinks whose deliveries are not claimed now (this owner is still sending to them).</param>
    Task<IReadOnlyList<NotificationDelivery>> ClaimAsync(
        string owner, DateTimeOffset now, TimeSpan lease, int max, IReadOnlyCollection<string> busy, CancellationToken cancellationToken);

    /// <summary>Records an attempt: sent, failed for good, or (with <paramref name="retryAt"/>) to be tried again then.</summary>
    Task RecordAsync(long id, string owner, SendOutcome outcome, DateTimeOffset now, DateTimeOffset? retryAt, CancellationToken cancellationToken);

    /// <summary>Gives a claimed delivery back unsent and without counting an attempt (it waits behind an older one that failed).</summary>
    Task PutBackAsync(long id, string owner, CancellationToken cancellationToken);

    /// <summary>
    /// What is known of the deployment on the git host that <paramref name="sink"/> tells about: null when the host was
    /// never asked to make it; its id once the host answered.
    /// </summary>
    Task<HostDeployment?> HostDeploymentAsync(string sink, long deploymentId, CancellationToken cancellationToken);

    /// <summary>
    /// Notes that the host is being asked to make the deployment, before asking: should its answer be lost (no answer,
    /// a 5xx after it made it, a crash before the id was kept), the next attempt looks for it on the host instead of
    /// making a second one. Keeps an earlier note and its time.
    /// </summary>
    Task AskingForHostDeploymentAsync(string sink, long deploymentId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Keeps the git host's id of a deployment made there.</summary>
    Task RememberHostDeploymentAsync(string sink, long deploymentId, string hostId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// The Onward deployment whose host deployment has <paramref name="hostId"/>, through any sink (services of one
    /// repository report to the same project), if any.
    /// </summary>
    Task<long?> DeploymentOfHostIdAsync(string hostId, CancellationToken cancellationToken);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<NotificationDelivery>> ListAsync(int limit, long? before, string? sink, NotificationState? state, CancellationToken cancellationToken);

    /// <summary>When the next pending delivery is due, or null when none is.</summary>
    Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken);
}
