using Onward.Contracts.Deployments;
using Onward.Core.Builds;
using Onward.Core.Deployments;
using Onward.Core.Releases;
using Onward.Storage.Access;
using Onward.Storage.Approvals;
using Onward.Storage.Audit;
using Onward.Storage.Database;
using Onward.Storage.Freezes;
using Onward.Storage.Deployments;
using Onward.Storage.Pipeline;
using Onward.Storage.Releases;
using Onward.Testing;

namespace Onward.Storage.Tests;

/// <summary>The stores over a real database with Onward's schema: an SQLite file, or a PostgreSQL database of the test's own.</summary>
public sealed class StorageFixture : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TestPostgresDatabase? _postgres;

    private StorageFixture(TestPostgresDatabase? postgres)
    {
        _postgres = postgres;
        Database = postgres is null ? new SqliteDatabase(_dir.Combine("onward.db")) : PostgresDatabase.FromUrl(postgres.Url);
        Jobs = new JobQueue(Database);
        Releases = new ReleaseStore(Database, Jobs);
        Deployments = new DeploymentStore(Database, Jobs);
        Approvals = new ApprovalStore(Database, Jobs);
        Tokens = new TokenStore(Database);
        Freezes = new FreezeStore(Database);
        Audit = new AuditLog(Database);
    }

    public static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public OnwardDatabase Database { get; }

    /// <summary>The PostgreSQL database's URL, for a second replica's stores; null on SQLite.</summary>
    public string? PostgresUrl => _postgres?.Url;

    public JobQueue Jobs { get; }

    public ReleaseStore Releases { get; }

    public DeploymentStore Deployments { get; }

    public ApprovalStore Approvals { get; }

    public TokenStore Tokens { get; }

    public FreezeStore Freezes { get; }

    public AuditLog Audit { get; }

    public static async Task<StorageFixture> CreateAsync(StorageBackend backend = StorageBackend.Sqlite)
    {
        var fixture = new StorageFixture(backend == StorageBackend.Postgres ? await TestPostgres.CreateDatabaseAsync() : null);
        await fixture.Database.MigrateAsync(CancellationToken.None);
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
        Database.Dispose();
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
}
