namespace Onward.Core.Freezes;

/// <summary>Ad-hoc freezes, durably; setting and lifting one is recorded in the audit log in the same transaction.</summary>
public interface IFreezeStore
{
    Task<EnvironmentFreeze> SetAsync(string environment, DateTimeOffset until, string reason, string setBy, DateTimeOffset now, CancellationToken cancellationToken);

    /// <returns>The freezes lifted now.</returns>
    Task<IReadOnlyList<EnvironmentFreeze>> LiftAsync(string environment, string liftedBy, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// The environments whose recurring freeze window was last told as begun, with the moment that was recorded (those
    /// not listed were told as ended, or never).
    /// </summary>
    Task<IReadOnlyDictionary<string, DateTimeOffset>> WindowsFrozenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records that an environment's recurring freeze window began (<paramref name="window"/>: when it began and ends)
    /// or ended (null), with its <c>freeze.started</c> or <c>freeze.ended</c> event, unless that was recorded already;
    /// answers whether this call recorded it. A beginning is recorded once per window: a replica whose clock lags
    /// behind does not begin again the window another has ended, nor one on an older onward.yaml a window removed; a
    /// window that ends later than the last one recorded, or began after it was recorded as ended (a window moved),
    /// begins. An end is recorded not before the recorded end.
    /// </summary>
    Task<bool> RecordWindowAsync(string environment, ActiveFreeze? window, string message, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Records that the freeze window of an environment told as begun at <paramref name="began"/> ended now, before its
    /// recorded end: onward.yaml no longer has it. Once across replicas, with its <c>freeze.ended</c> event; answers
    /// whether this call recorded it.
    /// </summary>
    Task<bool> EndRemovedWindowAsync(string environment, DateTimeOffset began, string message, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Tells the end (<c>freeze.ended</c>) of every ad-hoc freeze that ran out by itself in the last day and was not
    /// told yet, once across replicas; answers them.
    /// </summary>
    Task<IReadOnlyList<EnvironmentFreeze>> TellRunOutAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The freezes not lifted whose end is after <paramref name="now"/>, of one environment or all.</summary>
    Task<IReadOnlyList<EnvironmentFreeze>> ActiveAsync(string? environment, DateTimeOffset now, CancellationToken cancellationToken);
}
