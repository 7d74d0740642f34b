namespace Onward.Core.Releases;

/// <summary>Releases, durably. Implemented by Onward.Storage.</summary>
public interface IReleaseStore
{
    /// <summary>
    /// Records the release and queues its build in one transaction, unless the service already has a release with
    /// that version (then returns null: the same commit seen twice is one release).
    /// </summary>
    Task<Release?> AddAsync(NewRelease release, DateTimeOffset now, CancellationToken cancellationToken);

    Task<Release?> GetAsync(long id, CancellationToken cancellationToken);

    Task<Release?> FindAsync(string service, string version, CancellationToken cancellationToken);

    Task<IReadOnlyList<Release>> ListAsync(string? service, int limit, CancellationToken cancellationToken);

    Task MarkBuildingAsync(long id, DateTimeOffset startedAt, CancellationToken cancellationToken);

    Task MarkBuiltAsync(long id, string artifact, DateTimeOffset finishedAt, CancellationToken cancellationToken);

    Task MarkBuildFailedAsync(long id, string failure, DateTimeOffset finishedAt, CancellationToken cancellationToken);
}
