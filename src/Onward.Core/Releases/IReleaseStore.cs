using Onward.Core.Builds;

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

    /// <summary>Newest first; with <paramref name="before"/>, only releases with a smaller id (the next page).</summary>
    Task<IReadOnlyList<Release>> ListAsync(string? service, int limit, CancellationToken cancellationToken) => ListAsync(service, limit, null, cancellationToken);

    Task<IReadOnlyList<Release>> ListAsync(string? service, int limit, long? before, CancellationToken cancellationToken);

    /// <summary>
    /// A commit a pull request's preview was built from reached the main line (a fast-forward merge) or a version ref:
    /// its release becomes that ref's, and its build job runs again, which hands it to continuous delivery once built.
    /// </summary>
    Task ToMainLineAsync(long id, string gitRef, RefKind kind, bool releaseCandidate, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Builds started and not yet ended.</summary>
    Task<int> CountRunningBuildsAsync(CancellationToken cancellationToken);

    Task MarkBuildingAsync(long id, DateTimeOffset startedAt, CancellationToken cancellationToken);

    Task MarkBuiltAsync(long id, BuildResult result, DateTimeOffset finishedAt, CancellationToken cancellationToken);

    /// <summary>Records a release an external CI built and pushed (no build by Onward), and nothing if its version exists.</summary>
    Task<Release?> AddBuiltAsync(NewRelease release, BuildResult result, DateTimeOffset now, CancellationToken cancellationToken);

    Task MarkBuildFailedAsync(long id, string failure, DateTimeOffset finishedAt, CancellationToken cancellationToken);

    /// <summary>The chart the release is pinned to, read from the database (never a cached copy); null before its first deployment fixed one.</summary>
    Task<ChartPin?> ChartAsync(long id, CancellationToken cancellationToken);

    /// <summary>Pins the release to <paramref name="chart"/> unless it is pinned already; returns the pin that holds (the first one wins).</summary>
    Task<ChartPin> PinChartAsync(long id, ChartPin chart, CancellationToken cancellationToken);
}
