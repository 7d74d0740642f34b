namespace Onward.Core.Pipeline;

/// <summary>
/// Named leases in the database, so that among replicas one at a time does a thing: poll a repository, run the local
/// target's processes and stable ports. A lease not renewed runs out, and another replica may take it.
/// </summary>
public interface ILeaseStore
{
    /// <summary>Takes the lease or renews it for <paramref name="owner"/>; false when another owner holds it and it has not run out.</summary>
    Task<bool> TryHoldAsync(string name, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Who holds the lease now, or null when nobody does.</summary>
    Task<string?> HolderAsync(string name, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Gives the lease up (a replica stopping), so that another takes it without waiting for it to run out.</summary>
    Task ReleaseAsync(string name, string owner, CancellationToken cancellationToken);
}
