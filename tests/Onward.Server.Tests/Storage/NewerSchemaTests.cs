using Microsoft.Data.Sqlite;
using Onward.Storage.Database;
using Onward.Testing;

namespace Onward.Server.Tests.Storage;

/// <summary>Issue 25: an older Onward refuses a database a newer one migrated, with one line, and changes nothing.</summary>
public class NewerSchemaTests
{
    [Fact]
    public async Task An_older_onward_refuses_to_serve_a_database_with_a_newer_schema_in_one_line()
    {
        await using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.Combine("onward.yaml"), TestConfig.Yaml(Ports.Free(), [TestConfig.ManualEnvironment("dev")], []));
        var migrate = await OnwardCli.RunAsync(dir.Path, "database", "migrate");
        migrate.ExitCode.ShouldBe(0, migrate.Error);
        var newer = Migrations.All[^1].Version + 1;
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = dir.Combine("onward.db"), Pooling = false }.ToString()))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = $"INSERT INTO schema_migrations (version, name, applied_at) VALUES ({newer}, 'from a newer Onward', 0)";
            await insert.ExecuteNonQueryAsync();
        }

        var serve = await OnwardCli.RunAsync(dir.Path, "serve", "--config", "onward.yaml");

        serve.ExitCode.ShouldBe(1);
        serve.Error.Trim().ShouldBe(
            $"onward serve: the database has schema version {newer}, newer than this Onward knows ({Migrations.All[^1].Version}); run the Onward version that wrote it, or a newer one");
        serve.Error.ShouldNotContain("   at ");
    }
}
