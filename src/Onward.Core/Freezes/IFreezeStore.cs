namespace Onward.Core.Freezes;

/// <summary>Ad-hoc freezes, durably; setting and lifting one is recorded in the audit log in the same transaction.</summary>
public interface IFreezeStore
{
    Task<EnvironmentFreeze> SetAsync(string environment, DateTimeOffset until, string reason, string setBy, DateTimeOffset now, CancellationToken cancellationToken);

    /// <returns>The freezes lifted now.</returns>
    Task<IReadOnlyList<EnvironmentFreeze>> LiftAsync(string environment, string liftedBy, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The freezes not lifted whose end is after <paramref name="now"/>, of one environment or all.</summary>
    Task<IReadOnlyList<EnvironmentFreeze>> ActiveAsync(string? environment, DateTimeOffset now, CancellationToken cancellationToken);
}
