using Onward.Core.Builds;
using Onward.Core.Releases;

namespace Onward.Storage.Tests.Releases;

/// <summary>The same tests on both databases and on the fakes: <see cref="ReleaseStoreTestsOnSqlite"/>, <see cref="ReleaseStoreTestsOnPostgres"/> and <see cref="ReleaseStoreTestsOnFakes"/>.</summary>
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
}

public sealed class ReleaseStoreTestsOnSqlite : ReleaseStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class ReleaseStoreTestsOnPostgres : ReleaseStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}

public sealed class ReleaseStoreTestsOnFakes : ReleaseStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Fakes;
}
