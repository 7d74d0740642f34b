using Onward.Contracts.Deployments;
using Onward.Storage.Database;
using Onward.Testing;

namespace Onward.Server.Tests.Storage;

/// <summary>Issue 25: `onward database backup` copies a running server's SQLite database consistently, and the copy restores.</summary>
public class DatabaseBackupTests
{
    [Fact]
    public async Task A_backup_taken_while_the_server_writes_is_whole_refuses_to_overwrite_and_restores()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var first = await repo.CommitAsync("first");
        var yaml = TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev")], [SampleService.ServiceYaml("shop", repo.Path)]);
        string backup;
        await using (var onward = await OnwardHost.StartAsync(dir.Path, yaml))
        {
            (await onward.Api.FinishedDeploymentAsync("shop", "dev", first)).State.ShouldBe(DeploymentState.Succeeded);
            // The server goes on writing (each poll is a write) while the copy is taken.
            var result = await OnwardCli.RunAsync(dir.Path, "database", "backup", "--to", "backups/onward-1.db");

            result.ExitCode.ShouldBe(0, result.Error);
            backup = dir.Combine("backups", "onward-1.db");
            result.Output.ShouldContain($"backed up {dir.Combine("onward.db")} to {backup}");
            result.Output.ShouldContain($"schema version {Migrations.All[^1].Version}");
            result.Output.ShouldContain("To restore: stop Onward");
            File.Exists(backup + ".partial").ShouldBeFalse();
            var again = await OnwardCli.RunAsync(dir.Path, "database", "backup", "--to", "backups/onward-1.db");
            again.ExitCode.ShouldBe(1);
            again.Error.Trim().ShouldBe($"onward database backup: {backup} exists; back up to a new file (nothing was written)");
            var second = await repo.CommitAsync("second, after the backup");
            (await onward.Api.FinishedDeploymentAsync("shop", "dev", second)).State.ShouldBe(DeploymentState.Succeeded);
        }

        // Restored as the command says: the second release, made after the backup, is not in it.
        foreach (var file in new[] { "onward.db", "onward.db-wal", "onward.db-shm" })
        {
            File.Delete(dir.Combine(file));
        }
        File.Copy(backup, dir.Combine("onward.db"));
        await using (var restored = await OnwardHost.StartAsync(dir.Path, yaml))
        {
            var releases = await restored.Api.ReleasesAsync("shop");
            releases.ShouldContain(r => r.Commit == first);
            (await restored.Api.DeploymentsAsync("shop", "dev")).ShouldContain(d => d.Release.Commit == first && d.State == DeploymentState.Succeeded);
        }

        await File.WriteAllTextAsync(dir.Combine("pg.yaml"), yaml.Replace(TestConfig.SqliteDatabase, "database: postgres://onward@127.0.0.1:9/onward", StringComparison.Ordinal));
        var postgres = await OnwardCli.RunAsync(dir.Path, "database", "backup", "--config", "pg.yaml", "--to", "x.dump");
        postgres.ExitCode.ShouldBe(2);
        postgres.Error.ShouldContain("pg_dump --format=custom");
        File.Exists(dir.Combine("x.dump")).ShouldBeFalse();
    }
}
