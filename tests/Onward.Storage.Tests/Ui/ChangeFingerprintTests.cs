using Onward.Core.Builds;
using Onward.Core.Releases;

namespace Onward.Storage.Tests.Ui;

/// <summary>What only a SQL database has, on both: <see cref="ChangeFingerprintTestsOnSqlite"/>, <see cref="ChangeFingerprintTestsOnPostgres"/>.</summary>
public abstract class ChangeFingerprintTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;

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
}

public sealed class ChangeFingerprintTestsOnSqlite : ChangeFingerprintTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class ChangeFingerprintTestsOnPostgres : ChangeFingerprintTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}
