using Dapper;
using Microsoft.Data.Sqlite;
using Onward.Contracts.Deployments;
using Onward.Core.Access;
using Onward.Core.Audit;
using Onward.Core.Deployments;
using Onward.Core.Releases;
using Onward.Storage.Access;
using Onward.Storage.Audit;
using Onward.Storage.Database;
using Onward.Storage.Deployments;
using Onward.Storage.LocalProcesses;
using Onward.Storage.Pipeline;
using Onward.Storage.Releases;
using Onward.Storage.Sources;
using Onward.Testing;

namespace Onward.Storage.Tests.Database;

/// <summary>
/// Issue 25: a database an older Onward made is migrated on start and everything in it reads back. The fixtures
/// (Fixtures/schema-N.sql) are SQLite dumps of databases at the first schema (1) and at the schema before the last
/// two migrations (19), with rows in them.
/// </summary>
public class OlderSchemaTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData(1)]
    [InlineData(19)]
    public async Task A_database_made_by_an_older_schema_is_migrated_and_every_row_reads_back(int schema)
    {
        await using var dir = new TempDirectory();
        var path = dir.Combine("onward.db");
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync(await File.ReadAllTextAsync(Path.Combine(Paths.RepositoryRoot, "tests", "Onward.Storage.Tests", "Database", "Fixtures", $"schema-{schema}.sql")));
            (await connection.ExecuteScalarAsync<long>("SELECT MAX(version) FROM schema_migrations")).ShouldBe(schema);
        }
        using var database = new SqliteDatabase(path);

        await database.MigrateAsync(None);

        await using (var connection = await database.OpenAsync(None))
        {
            (await connection.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version")).ShouldBe(Migrations.All.Select(m => (long)m.Version));
        }
        var jobs = new JobQueue(database);
        var releases = new ReleaseStore(database, jobs);
        var built = (await releases.GetAsync(1, None)).ShouldNotBeNull();
        (built.Service, built.Version, built.State, built.RefKind).ShouldBe(("shop", "1a2b3c4", ReleaseState.Built, RefKind.Branch));
        built.Artifact.ShouldBe("/srv/onward/.onward/artifacts/shop/1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d");
        var failed = (await releases.GetAsync(2, None)).ShouldNotBeNull();
        (failed.State, failed.Failure, failed.ReleaseCandidate).ShouldBe((ReleaseState.BuildFailed, "the build command exited with code 2", true));
        var deployments = new DeploymentStore(database, jobs);
        var deployment = (await deployments.GetAsync(1, None)).ShouldNotBeNull();
        (deployment.State, deployment.Trigger, deployment.Version).ShouldBe((DeploymentState.Succeeded, DeploymentTrigger.Auto, "1a2b3c4"));
        (await deployments.EventsAsync(1, None)).Select(e => e.State)
            .ShouldBe([DeploymentState.Queued, DeploymentState.Applying, DeploymentState.Verifying, DeploymentState.Succeeded]);
        (await deployments.CurrentAsync("shop", "dev", None)).ShouldNotBeNull().Id.ShouldBe(1);
        (await new LocalPortStore(database).GetOrAssignAsync("shop", "dev", 12345, None)).ShouldBe(9101);
        (await new RefStateStore(database).GetAsync("shop", None)).ShouldNotBeNull()["Branch:main"].ShouldBe("1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d");
        if (schema >= 6)
        {
            var token = (await new TokenStore(database).ListAsync(10, null, None)).ShouldHaveSingleItem();
            (token.Name, token.Role, token.Groups.Single()).ShouldBe(("ci", Role.Deployer, "developers"));
            (await new AuditLog(database).ListAsync(new AuditQuery(null, "prod", "alice", 10), None)).ShouldHaveSingleItem().Message.ShouldBe("froze prod until Monday: sale");
        }
        // And the migrated database takes new rows as any other.
        var next = await releases.AddAsync(new NewRelease("shop", "2b3c4d5", "2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e", "main", RefKind.Branch, false), DateTimeOffset.UtcNow, None);
        next.ShouldNotBeNull().Id.ShouldBe(3);
    }
}
