using Onward.Contracts.Deployments;
using Onward.Core.Access;
using Onward.Core.Approvals;
using Onward.Core.Audit;
using Onward.Core.Builds;
using Onward.Core.Deployments;
using Onward.Core.Drift;
using Onward.Core.Flags;
using Onward.Core.LocalProcesses;
using Onward.Core.Sources;
using Onward.Core.Freezes;
using Onward.Core.Notifications;
using Onward.Core.Pipeline;
using Onward.Core.Releases;
using Onward.Core.Webhooks;
using Onward.Storage.Access;
using Onward.Storage.Approvals;
using Onward.Storage.Audit;
using Onward.Storage.Database;
using Onward.Storage.Deployments;
using Onward.Storage.Drift;
using Onward.Storage.Flags;
using Onward.Storage.LocalProcesses;
using Onward.Storage.Sources;
using Onward.Storage.Freezes;
using Onward.Storage.Notifications;
using Onward.Storage.Pipeline;
using Onward.Storage.Releases;
using Onward.Storage.Webhooks;
using Onward.Testing;
using Onward.Testing.Fakes;

namespace Onward.Storage.Tests;

/// <summary>
/// The stores behind Core's ports: over a real database with Onward's schema (an SQLite file, or a PostgreSQL database of
/// the test's own), or the fakes unit tests use, so that one contract suite holds all three to the same behaviour.
/// </summary>
public sealed class StorageFixture : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TestPostgresDatabase? _postgres;
    private readonly OnwardDatabase? _database;

    private StorageFixture(StorageBackend backend, TestPostgresDatabase? postgres)
    {
        _postgres = postgres;
        if (backend == StorageBackend.Fakes)
        {
            var fakes = new FakeDatabase();
            var releases = new FakeReleaseStore(fakes);
            var deployments = new FakeDeploymentStore(releases);
            (Jobs, Releases, Deployments, Approvals) = (fakes.Jobs, releases, deployments, new FakeApprovalStore(deployments));
            (Tokens, Freezes, Audit) = (new FakeTokenStore(fakes), new FakeFreezeStore(fakes), new FakeAuditLog(fakes, deployments));
            (Deliveries, Notifications) = (new FakeDeliveryStore(fakes), new FakeNotificationStore(fakes));
            var tokens = (FakeTokenStore)Tokens;
            (Sessions, Drift, LocalPorts, RefState) = (new FakeSessionStore(fakes, tokens), new FakeDriftStore(), new FakeLocalPortStore(), new FakeRefStateStore());
            (Flags, FlagRequests, Leases) = (new FakeFlagStore(fakes), new FakeFlagRequestStore(fakes), new FakeLeaseStore(fakes));
            return;
        }
        _database = postgres is null ? new SqliteDatabase(_dir.Combine("onward.db")) : PostgresDatabase.FromUrl(postgres.Url);
        var jobs = new JobQueue(_database);
        (Jobs, Releases, Deployments, Approvals) = (jobs, new ReleaseStore(_database, jobs), new DeploymentStore(_database, jobs), new ApprovalStore(_database, jobs));
        (Tokens, Freezes, Audit) = (new TokenStore(_database), new FreezeStore(_database), new AuditLog(_database));
        (Deliveries, Notifications) = (new DeliveryStore(_database, jobs), new NotificationStore(_database));
        (Sessions, Drift, LocalPorts, RefState) = (new SessionStore(_database, Tokens), new DriftStore(_database), new LocalPortStore(_database), new RefStateStore(_database));
        (Flags, FlagRequests, Leases) = (new FlagStore(_database), new FlagRequestStore(_database), new LeaseStore(_database));
    }

    public static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The SQL database, for the suites about SQL itself (migrations, group commit, replicas); the fakes have none.</summary>
    public OnwardDatabase Database => _database ?? throw new InvalidOperationException("the fakes have no SQL database; this test belongs to a suite that runs on SQLite and PostgreSQL only");

    /// <summary>The PostgreSQL database's URL, for a second replica's stores; null on SQLite.</summary>
    public string? PostgresUrl => _postgres?.Url;

    public IJobQueue Jobs { get; }

    public IReleaseStore Releases { get; }

    public IDeploymentStore Deployments { get; }

    public IApprovalStore Approvals { get; }

    public ITokenStore Tokens { get; }

    public IFreezeStore Freezes { get; }

    public IAuditLog Audit { get; }

    public IDeliveryStore Deliveries { get; }

    public INotificationStore Notifications { get; }

    public ISessionStore Sessions { get; }

    public IDriftStore Drift { get; }

    public ILocalPortStore LocalPorts { get; }

    public IRefStateStore RefState { get; }

    public IFlagStore Flags { get; }

    public IFlagRequestStore FlagRequests { get; }

    public ILeaseStore Leases { get; }

    public static async Task<StorageFixture> CreateAsync(StorageBackend backend = StorageBackend.Sqlite)
    {
        var fixture = new StorageFixture(backend, backend == StorageBackend.Postgres ? await TestPostgres.CreateDatabaseAsync() : null);
        if (fixture._database is { } database)
        {
            await database.MigrateAsync(CancellationToken.None);
        }
        return fixture;
    }

    public async Task<Release> BuiltReleaseAsync(string service, string commit)
    {
        var release = (await Releases.AddAsync(new NewRelease(service, commit[..7], commit, "main", RefKind.Branch, false), Now, CancellationToken.None))!;
        await Releases.MarkBuiltAsync(release.Id, new BuildResult("/artifacts/" + commit, null, null), Now, CancellationToken.None);
        return release with { State = ReleaseState.Built };
    }

    public Task<Deployment> QueueAsync(Release release, string environment) =>
        Deployments.AddAsync(new NewDeployment(release.Service, environment, release.Id, DeploymentState.Queued, null, "alice", DeploymentTrigger.Manual, null), Now, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        _database?.Dispose();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
        await _dir.DisposeAsync();
    }
}

public enum StorageBackend
{
    Sqlite,
    Postgres,

    /// <summary>The fakes of Onward.Testing.Fakes, held to the same contract as the stores.</summary>
    Fakes,
}
