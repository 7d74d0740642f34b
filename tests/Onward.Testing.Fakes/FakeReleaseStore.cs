using Onward.Contracts.Notifications;
using Onward.Core.Builds;
using Onward.Core.Notifications;
using Onward.Core.Pipeline;
using Onward.Core.Releases;

namespace Onward.Testing.Fakes;

/// <summary>
/// Releases in memory, with the store's rules: a version once per service, a build job queued with each new release
/// (a registered one too), a build that ends once, and an event told when it starts and ends.
/// </summary>
public sealed class FakeReleaseStore(FakeDatabase database) : IReleaseStore
{
    private readonly List<Release> _releases = [];

    public FakeReleaseStore()
        : this(new FakeDatabase())
    {
    }

    public FakeDatabase Database => database;

    /// <summary>Releases whose build was queued, in order.</summary>
    public List<long> QueuedBuilds { get; } = [];

    public IReadOnlyList<Release> All
    {
        get
        {
            lock (database.Gate)
            {
                return _releases.ToList();
            }
        }
    }

    /// <summary>A built release, as a test's starting point.</summary>
    public Release AddBuilt(string service, string version, string commit, bool releaseCandidate = false, RefKind kind = RefKind.Branch)
    {
        lock (database.Gate)
        {
            var release = new Release(_releases.Count + 1, service, version, commit, kind == RefKind.Tag ? version : "main", kind, releaseCandidate,
                "/artifacts/" + commit, ReleaseState.Built, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
            _releases.Add(release);
            return release;
        }
    }

    public Task<Release?> AddAsync(NewRelease release, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(Add(release, now, null));

    public Task<Release?> AddBuiltAsync(NewRelease release, BuildResult result, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(Add(release, now, result));

    public Task<Release?> GetAsync(long id, CancellationToken cancellationToken) => Task.FromResult(Find(r => r.Id == id));

    public Task<ChartPin?> ChartAsync(long id, CancellationToken cancellationToken) => Task.FromResult(Find(r => r.Id == id)?.Chart);

    public Task<ChartPin> PinChartAsync(long id, ChartPin chart, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            var index = _releases.FindIndex(r => r.Id == id);
            _releases[index] = _releases[index] with { Chart = _releases[index].Chart ?? chart };
            return Task.FromResult(_releases[index].Chart!);
        }
    }

    public Task<Release?> FindAsync(string service, string version, CancellationToken cancellationToken) =>
        Task.FromResult(Find(r => r.Service == service && r.Version == version));

    public Task<IReadOnlyList<Release>> ListAsync(string? service, int limit, long? before, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Release>>(All.Where(r => (service is null || r.Service == service) && (before is null || r.Id < before))
            .OrderByDescending(r => r.Id).Take(limit).ToList());

    public Task ToMainLineAsync(long id, string gitRef, RefKind kind, bool releaseCandidate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            var index = _releases.FindIndex(r => r.Id == id && r.Preview is not null);
            if (index >= 0)
            {
                _releases[index] = _releases[index] with { Preview = null, Ref = gitRef, RefKind = kind, ReleaseCandidate = releaseCandidate };
                QueuedBuilds.Add(id);
                database.Jobs.Enqueue(JobKind.Build, id, now);
            }
        }
        return Task.CompletedTask;
    }

    public Task<int> CountRunningBuildsAsync(CancellationToken cancellationToken) =>
        Task.FromResult(All.Count(r => r.State == ReleaseState.Building && r.BuildStartedAt is not null));

    public Task MarkBuildingAsync(long id, DateTimeOffset startedAt, CancellationToken cancellationToken) =>
        Change(id, r => r.BuildStartedAt is null, r => r with { BuildStartedAt = startedAt }, NotificationKind.BuildStarted, "building", startedAt);

    public Task MarkBuiltAsync(long id, BuildResult result, DateTimeOffset finishedAt, CancellationToken cancellationToken) =>
        Change(id, r => r.State == ReleaseState.Building,
            r => r with { State = ReleaseState.Built, Artifact = result.Artifact, BuildFinishedAt = finishedAt, Image = result.Image, Digest = result.Digest },
            NotificationKind.Built, "built", finishedAt);

    public Task MarkBuildFailedAsync(long id, string failure, DateTimeOffset finishedAt, CancellationToken cancellationToken) =>
        Change(id, r => r.State == ReleaseState.Building, r => r with { State = ReleaseState.BuildFailed, Failure = failure, BuildFinishedAt = finishedAt },
            NotificationKind.BuildFailed, failure, finishedAt);

    private Release? Add(NewRelease release, DateTimeOffset now, BuildResult? built)
    {
        lock (database.Gate)
        {
            if (_releases.Any(r => r.Service == release.Service && r.Version == release.Version))
            {
                return null;
            }
            var added = built is null
                ? new Release(_releases.Count + 1, release.Service, release.Version, release.Commit, release.Ref, release.RefKind, release.ReleaseCandidate,
                    null, ReleaseState.Building, null, now, null, null)
                { TraceParent = release.TraceParent, Preview = release.Preview }
                : new Release(_releases.Count + 1, release.Service, release.Version, release.Commit, release.Ref, release.RefKind, release.ReleaseCandidate,
                    built.Artifact, ReleaseState.Built, null, now, now, now)
                { Image = built.Image, Digest = built.Digest, TraceParent = release.TraceParent, Preview = release.Preview };
            _releases.Add(added);
            // A registered release's build job finds it built and hands it to continuous delivery.
            QueuedBuilds.Add(added.Id);
            database.Jobs.Enqueue(JobKind.Build, added.Id, now);
            return added;
        }
    }

    private Release? Find(Func<Release, bool> match)
    {
        lock (database.Gate)
        {
            return _releases.FirstOrDefault(match);
        }
    }

    private Task Change(long id, Func<Release, bool> when, Func<Release, Release> change, NotificationKind kind, string message, DateTimeOffset at)
    {
        lock (database.Gate)
        {
            var index = _releases.FindIndex(r => r.Id == id);
            if (index >= 0 && when(_releases[index]))
            {
                var changed = _releases[index] = change(_releases[index]);
                database.Tell(eventId => new NotificationEvent(eventId, kind, changed.Service, null, changed.Version, changed.Commit, null, changed.Id, "onward", message, at));
            }
        }
        return Task.CompletedTask;
    }
}
