using Onward.Core.Builds;
using Dapper;
using Onward.Core.Releases;
using Onward.Storage.Database;

namespace Onward.Storage.Tests.Releases;

/// <summary>The same tests on both databases: <see cref="ReleaseStoreTestsOnSqlite"/> and <see cref="ReleaseStoreTestsOnPostgres"/>.</summary>
public abstract class ReleaseStoreTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_same_version_seen_twice_is_one_release_with_one_build()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var candidate = new NewRelease("shop", "1.2.0", "abcdef0123456789", "1.2.0", RefKind.Tag, true);

        var first = await db.Releases.AddAsync(candidate, StorageFixture.Now, None);
        var second = await db.Releases.AddAsync(candidate, StorageFixture.Now, None);

        first.ShouldNotBeNull();
        second.ShouldBeNull();
        (await db.Releases.ListAsync("shop", 10, null, None)).Single().ReleaseCandidate.ShouldBeTrue();
        (await db.Jobs.ClaimAsync("w", StorageFixture.Now, TimeSpan.FromSeconds(10), 10, None)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task The_web_uis_change_fingerprint_moves_when_a_release_is_added_and_when_its_build_ends()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var fingerprint = new Onward.Storage.Ui.ChangeFingerprint(db.Database);
        var before = await fingerprint.ReadAsync(None);

        var release = (await db.Releases.AddAsync(new NewRelease("shop", "abcdef1", "abcdef1234", "main", RefKind.Branch, false), StorageFixture.Now, None))!;
        var added = await fingerprint.ReadAsync(None);
        await db.Releases.MarkBuiltAsync(release.Id, new BuildResult("/a", null, null), StorageFixture.Now, None);
        var built = await fingerprint.ReadAsync(None);

        added.ShouldNotBe(before);
        built.ShouldNotBe(added);
        (await fingerprint.ReadAsync(None)).ShouldBe(built, "nothing changed, nothing moves");
    }

    [Fact]
    public async Task A_build_ends_once_and_stays_ended()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var release = (await db.Releases.AddAsync(new NewRelease("shop", "abcdef0", "abcdef0123", "main", RefKind.Branch, false), StorageFixture.Now, None))!;

        await db.Releases.MarkBuildFailedAsync(release.Id, "exit 2", StorageFixture.Now, None);
        await db.Releases.MarkBuiltAsync(release.Id, new BuildResult("/a", null, null), StorageFixture.Now, None);

        var stored = (await db.Releases.GetAsync(release.Id, None))!;
        stored.State.ShouldBe(ReleaseState.BuildFailed);
        stored.Failure.ShouldBe("exit 2");
        stored.Artifact.ShouldBeNull();
    }

    [Fact]
    public async Task Migrations_run_once_and_leave_an_sqlite_file_in_wal_mode()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);

        await db.Database.MigrateAsync(None);

        await using var connection = await db.Database.OpenAsync(None);
        if (Backend == StorageBackend.Sqlite)
        {
            (await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode")).ShouldBe("wal");
        }
        (await connection.QueryAsync<long>("SELECT version FROM schema_migrations")).ShouldBe(Migrations.All.Select(m => (long)m.Version));
    }
}

public sealed class ReleaseStoreTestsOnSqlite : ReleaseStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class ReleaseStoreTestsOnPostgres : ReleaseStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}
