using Onward.Contracts.Notifications;
using System.Collections.Concurrent;
using Dapper;
using Onward.Core.Builds;
using Onward.Core.Pipeline;
using Onward.Core.Releases;
using Onward.Storage.Database;
using Onward.Storage.Pipeline;
using Onward.Core.Notifications;
using Onward.Storage.Notifications;

namespace Onward.Storage.Releases;

public sealed class ReleaseStore(OnwardDatabase database, JobQueue jobs) : IReleaseStore
{
    private const int MostSettled = 10_000;
    private static readonly string Building = SqlNames.Of(ReleaseState.Building);
    private readonly ConcurrentDictionary<long, Release> _settled = new();
    private static readonly string Built = SqlNames.Of(ReleaseState.Built);
    private static readonly string Failed = SqlNames.Of(ReleaseState.BuildFailed);

    private const string Columns = """
        id AS Id, service AS Service, version AS Version, commit_sha AS CommitSha, ref AS Ref, ref_kind AS RefKind,
        release_candidate AS ReleaseCandidate, artifact AS Artifact, state AS State, failure AS Failure,
        created_at AS CreatedAt, build_started_at AS BuildStartedAt, build_finished_at AS BuildFinishedAt,
        image AS Image, digest AS Digest, trace_parent AS TraceParent,
        chart_location AS ChartLocation, chart_name AS ChartName, chart_version AS ChartVersion, chart_digest AS ChartDigest,
        preview AS Preview
        """;

    public async Task<Release?> AddAsync(NewRelease release, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition($"""
            INSERT INTO releases (service, version, commit_sha, ref, ref_kind, release_candidate, state, created_at, trace_parent, preview)
            VALUES (@Service, @Version, @Commit, @Ref, @RefKind, @ReleaseCandidate, {Building}, @now, @TraceParent, @Preview)
            ON CONFLICT (service, version) DO NOTHING
            RETURNING id
            """,
            new { release.Service, release.Version, release.Commit, release.Ref, RefKind = release.RefKind.ToString(), ReleaseCandidate = release.ReleaseCandidate ? 1 : 0, now = UnixTime.From(now), release.TraceParent, release.Preview },
            transaction, cancellationToken: cancellationToken));
        if (id is null)
        {
            return null;
        }
        await JobQueue.EnqueueAsync(connection, transaction, JobKind.Build, id.Value, now, cancellationToken);
        await write.CommitAsync(cancellationToken);
        jobs.Notify();
        return new Release(id.Value, release.Service, release.Version, release.Commit, release.Ref, release.RefKind,
            release.ReleaseCandidate, null, ReleaseState.Building, null, now, null, null)
        { TraceParent = release.TraceParent, Preview = release.Preview };
    }

    public async Task ToMainLineAsync(long id, string gitRef, RefKind kind, bool releaseCandidate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var changed = await write.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE releases SET preview = NULL, ref = @gitRef, ref_kind = @kind, release_candidate = @candidate WHERE id = @id AND preview IS NOT NULL",
            new { id, gitRef, kind = kind.ToString(), candidate = releaseCandidate ? 1 : 0 }, write.Transaction, cancellationToken: cancellationToken));
        if (changed > 0)
        {
            // Its build job, run again, hands it to continuous delivery once it is built.
            await JobQueue.DueOrEnqueueAsync(write.Connection, write.Transaction, JobKind.Build, id, now, cancellationToken);
        }
        await write.CommitAsync(cancellationToken);
        _settled.TryRemove(id, out _);
        jobs.Notify();
    }

    public async Task<Release?> GetAsync(long id, CancellationToken cancellationToken)
    {
        if (_settled.TryGetValue(id, out var known))
        {
            return known;
        }
        var release = (await QueryAsync($"SELECT {Columns} FROM releases WHERE id = @id", new { id }, cancellationToken)).FirstOrDefault();
        if (release is { State: ReleaseState.Built or ReleaseState.BuildFailed })
        {
            // A release never changes once its build has ended; every step of every deployment reads it.
            if (_settled.Count >= MostSettled)
            {
                _settled.Clear();
            }
            _settled[id] = release;
        }
        return release;
    }

    public async Task<Release?> FindAsync(string service, string version, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT {Columns} FROM releases WHERE service = @service AND version = @version", new { service, version }, cancellationToken)).FirstOrDefault();

    public Task<IReadOnlyList<Release>> ListAsync(string? service, int limit, long? before, CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {Columns} FROM releases WHERE (@service IS NULL OR service = @service) AND (@before IS NULL OR id < @before) ORDER BY id DESC LIMIT @limit",
            new { service, limit, before }, cancellationToken);

    public async Task<int> CountRunningBuildsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            $"SELECT COUNT(*) FROM releases WHERE state = {Building} AND build_started_at IS NOT NULL", cancellationToken: cancellationToken));
    }

    public Task MarkBuildingAsync(long id, DateTimeOffset startedAt, CancellationToken cancellationToken) =>
        ChangeAsync("UPDATE releases SET build_started_at = @at WHERE id = @id AND build_started_at IS NULL",
            new { id, at = UnixTime.From(startedAt) }, id, NotificationKind.BuildStarted, "building", startedAt, cancellationToken);

    public Task MarkBuiltAsync(long id, BuildResult result, DateTimeOffset finishedAt, CancellationToken cancellationToken) =>
        ChangeAsync($"UPDATE releases SET state = {Built}, artifact = @Artifact, image = @Image, digest = @Digest, build_finished_at = @at WHERE id = @id AND state = {Building}",
            new { id, result.Artifact, result.Image, result.Digest, at = UnixTime.From(finishedAt) }, id, NotificationKind.Built, "built", finishedAt, cancellationToken);

    public async Task<Release?> AddBuiltAsync(NewRelease release, BuildResult result, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var id = await write.Connection.ExecuteScalarAsync<long?>(new CommandDefinition($"""
            INSERT INTO releases (service, version, commit_sha, ref, ref_kind, release_candidate, state, created_at,
                                  build_started_at, build_finished_at, artifact, image, digest, trace_parent)
            VALUES (@Service, @Version, @Commit, @Ref, @RefKind, @ReleaseCandidate, {Built}, @now, @now, @now, @Artifact, @Image, @Digest, @TraceParent)
            ON CONFLICT (service, version) DO NOTHING
            RETURNING id
            """,
            new
            {
                release.Service,
                release.Version,
                release.Commit,
                release.Ref,
                RefKind = release.RefKind.ToString(),
                ReleaseCandidate = release.ReleaseCandidate ? 1 : 0,
                now = UnixTime.From(now),
                result.Artifact,
                result.Image,
                result.Digest,
                release.TraceParent,
            },
            write.Transaction, cancellationToken: cancellationToken));
        if (id is null)
        {
            return null;
        }
        // The build job of a registered release finds it built and hands it to continuous delivery.
        await JobQueue.EnqueueAsync(write.Connection, write.Transaction, JobKind.Build, id.Value, now, cancellationToken);
        await write.CommitAsync(cancellationToken);
        jobs.Notify();
        return await GetAsync(id.Value, cancellationToken);
    }

    public Task MarkBuildFailedAsync(long id, string failure, DateTimeOffset finishedAt, CancellationToken cancellationToken) =>
        ChangeAsync($"UPDATE releases SET state = {Failed}, failure = @failure, build_finished_at = @at WHERE id = @id AND state = {Building}",
            new { id, failure, at = UnixTime.From(finishedAt) }, id, NotificationKind.BuildFailed, failure, finishedAt, cancellationToken);

    public async Task<ChartPin?> ChartAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ReleaseRow>(new CommandDefinition(
            "SELECT chart_location AS ChartLocation, chart_name AS ChartName, chart_version AS ChartVersion, chart_digest AS ChartDigest FROM releases WHERE id = @id",
            new { id }, cancellationToken: cancellationToken));
        var pin = row?.ChartDigest is null ? null : new ChartPin(row.ChartLocation ?? "", row.ChartName ?? "", row.ChartVersion ?? "", row.ChartDigest);
        if (pin is not null && _settled.TryGetValue(id, out var known) && known.Chart != pin)
        {
            _settled[id] = known with { Chart = pin };
        }
        return pin;
    }

    public async Task<ChartPin> PinChartAsync(long id, ChartPin chart, CancellationToken cancellationToken)
    {
        await using (var write = await database.BeginWriteAsync(cancellationToken))
        {
            await write.Connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE releases SET chart_location = @Location, chart_name = @Name, chart_version = @Version, chart_digest = @Digest
                WHERE id = @id AND chart_digest IS NULL
                """,
                new { id, chart.Location, chart.Name, chart.Version, chart.Digest }, write.Transaction, cancellationToken: cancellationToken));
            await write.CommitAsync(cancellationToken);
        }
        return await ChartAsync(id, cancellationToken) ?? throw new InvalidOperationException($"release {id} is not there to pin its chart to");
    }

    /// <summary>A change of the release's build, and when it changed something, its event in the same transaction.</summary>
    private async Task ChangeAsync(string sql, object parameters, long id, NotificationKind kind, string message, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        if (await write.Connection.ExecuteAsync(new CommandDefinition(sql, parameters, write.Transaction, cancellationToken: cancellationToken)) > 0)
        {
            await NotificationOutbox.AddForReleaseAsync(write.Connection, write.Transaction, kind, id, "onward", message, UnixTime.From(at), cancellationToken);
        }
        await write.CommitAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<Release>> QueryAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ReleaseRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToRelease()).ToList();
    }

    private sealed class ReleaseRow
    {
        public long Id { get; init; }

        public string Service { get; init; } = "";

        public string Version { get; init; } = "";

        public string CommitSha { get; init; } = "";

        public string Ref { get; init; } = "";

        public string RefKind { get; init; } = "";

        public long ReleaseCandidate { get; init; }

        public string? Artifact { get; init; }

        public string State { get; init; } = "";

        public string? Failure { get; init; }

        public long CreatedAt { get; init; }

        public long? BuildStartedAt { get; init; }

        public long? BuildFinishedAt { get; init; }

        public string? Image { get; init; }

        public string? Digest { get; init; }

        public string? TraceParent { get; init; }

        public string? ChartLocation { get; init; }

        public string? ChartName { get; init; }

        public string? ChartVersion { get; init; }

        public string? ChartDigest { get; init; }

        public long? Preview { get; init; }

        public Release ToRelease() => new(
            Id, Service, Version, CommitSha, Ref, Enum.Parse<RefKind>(RefKind), ReleaseCandidate != 0, Artifact,
            Enum.Parse<ReleaseState>(State), Failure, UnixTime.To(CreatedAt), UnixTime.To(BuildStartedAt), UnixTime.To(BuildFinishedAt))
        {
            Image = Image,
            Digest = Digest,
            TraceParent = TraceParent,
            Preview = Preview,
            Chart = ChartDigest is null ? null : new ChartPin(ChartLocation ?? "", ChartName ?? "", ChartVersion ?? "", ChartDigest),
        };
    }
}
