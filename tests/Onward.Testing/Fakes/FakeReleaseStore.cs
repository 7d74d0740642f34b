using Onward.Core.Builds;
using Onward.Core.Releases;

namespace Onward.Testing.Fakes;

/// <summary>Releases in memory, with the store's rules: a version once per service, a build queued with each new release.</summary>
public sealed class FakeReleaseStore : IReleaseStore
{
    private readonly List<Release> _releases = [];

    /// <summary>Releases whose build was queued, in order.</summary>
    public List<long> QueuedBuilds { get; } = [];

    public IReadOnlyList<Release> All => _releases;

    /// <summary>A built release, as a test's starting point.</summary>
    public Release AddBuilt(string service, string version, string commit, bool releaseCandidate = false, RefKind kind = RefKind.Branch)
    {
        var release = new Release(_releases.Count + 1, service, version, commit, kind == RefKind.Tag ? version : "main", kind, releaseCandidate,
            "/artifacts/" + commit, ReleaseState.Built, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        _releases.Add(release);
        return release;
    }

    public Task<Release?> AddAsync(NewRelease release, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_releases.Any(r => r.Service == release.Service && r.Version == release.Version))
        {
            return Task.FromResult<Release?>(null);
        }
        var added = new Release(_releases.Count + 1, release.Service, release.Version, release.Commit, release.Ref, release.RefKind, release.ReleaseCandidate,
            null, ReleaseState.Building, null, now, null, null);
        _releases.Add(added);
        QueuedBuilds.Add(added.Id);
        return Task.FromResult<Release?>(added);
    }

    public Task<Release?> GetAsync(long id, CancellationToken cancellationToken) => Task.FromResult(_releases.FirstOrDefault(r => r.Id == id));

    public Task<Release?> FindAsync(string service, string version, CancellationToken cancellationToken) =>
        Task.FromResult(_releases.FirstOrDefault(r => r.Service == service && r.Version == version));

    public Task<IReadOnlyList<Release>> ListAsync(string? service, int limit, long? before, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Release>>(_releases.Where(r => (service is null || r.Service == service) && (before is null || r.Id < before))
            .OrderByDescending(r => r.Id).Take(limit).ToList());

    public Task<int> CountRunningBuildsAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_releases.Count(r => r.State == ReleaseState.Building && r.BuildStartedAt is not null));

    public Task MarkBuildingAsync(long id, DateTimeOffset startedAt, CancellationToken cancellationToken) =>
        Change(id, r => r with { BuildStartedAt = startedAt });

    public Task MarkBuiltAsync(long id, BuildResult result, DateTimeOffset finishedAt, CancellationToken cancellationToken) =>
        Change(id, r => r.State != ReleaseState.Building ? r : r with { State = ReleaseState.Built, Artifact = result.Artifact, BuildFinishedAt = finishedAt, Image = result.Image, Digest = result.Digest });

    public Task<Release?> AddBuiltAsync(NewRelease release, BuildResult result, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_releases.Any(r => r.Service == release.Service && r.Version == release.Version))
        {
            return Task.FromResult<Release?>(null);
        }
        var added = new Release(_releases.Count + 1, release.Service, release.Version, release.Commit, release.Ref, release.RefKind, release.ReleaseCandidate,
            result.Artifact, ReleaseState.Built, null, now, now, now)
        { Image = result.Image, Digest = result.Digest };
        _releases.Add(added);
        return Task.FromResult<Release?>(added);
    }

    public Task MarkBuildFailedAsync(long id, string failure, DateTimeOffset finishedAt, CancellationToken cancellationToken) =>
        Change(id, r => r.State != ReleaseState.Building ? r : r with { State = ReleaseState.BuildFailed, Failure = failure, BuildFinishedAt = finishedAt });

    private Task Change(long id, Func<Release, Release> change)
    {
        var index = _releases.FindIndex(r => r.Id == id);
        if (index >= 0)
        {
            _releases[index] = change(_releases[index]);
        }
        return Task.CompletedTask;
    }
}
