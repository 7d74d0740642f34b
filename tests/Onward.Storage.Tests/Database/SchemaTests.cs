using Dapper;
using Onward.Core.Builds;
using Onward.Core.Releases;
using Onward.Storage.Database;

namespace Onward.Storage.Tests.Database;

/// <summary>What only a SQL database has, on both: <see cref="SchemaTestsOnSqlite"/> and <see cref="SchemaTestsOnPostgres"/>.</summary>
public abstract class SchemaTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;

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

public sealed class SchemaTestsOnSqlite : SchemaTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class SchemaTestsOnPostgres : SchemaTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}
