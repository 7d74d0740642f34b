using System.Net;
using System.Text;
using System.Text.Json;
using Onward.Contracts.Audit;
using Onward.Contracts.Deployments;
using Onward.Contracts.Flags;
using Onward.Contracts.Tokens;
using Onward.Testing;

namespace Onward.Server.Tests.Storage;

/// <summary>Issue 15: moving from SQLite to PostgreSQL with `onward database copy`, and the database's faults at start.</summary>
public class DatabaseCopyTests
{
    /// <summary>Issue 24.3: a mistyped source is told, not copied from as an empty database.</summary>
    [Fact]
    public async Task A_source_that_is_not_there_or_is_not_an_onward_database_is_an_error_and_nothing_is_created_or_copied()
    {
        await using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.Combine("notes.txt"), "not a database");
        var stranger = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={dir.Combine("other.db")}");
        await stranger.OpenAsync();
        await using (var create = stranger.CreateCommand())
        {
            create.CommandText = "CREATE TABLE things (id INTEGER)";
            await create.ExecuteNonQueryAsync();
        }
        await stranger.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var missing = await OnwardCli.RunAsync(dir.Path, "database", "copy", "--from", "sqlite:data/nope.db", "--to", $"sqlite:{dir.Combine("target.db")}");
        var foreign = await OnwardCli.RunAsync(dir.Path, "database", "copy", "--from", $"sqlite:{dir.Combine("other.db")}", "--to", $"sqlite:{dir.Combine("target.db")}");

        missing.ExitCode.ShouldBe(1);
        missing.Error.Trim().ShouldBe("onward database copy: the source data/nope.db does not exist; check the path (nothing was copied)");
        File.Exists(dir.Combine("data/nope.db")).ShouldBeFalse("nothing was created in its place");
        foreign.ExitCode.ShouldBe(1);
        foreign.Error.ShouldContain($"the source {dir.Combine("other.db")} holds no Onward database (it has no schema_migrations table); check the URL (nothing was copied)");
        (missing.Output + foreign.Output).ShouldNotContain("the counts match");
    }

    [Fact]
    public async Task Everything_an_sqlite_onward_holds_is_copied_into_an_empty_postgresql_and_onward_carries_on_there()
    {
        await using var dir = new TempDirectory();
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var first = await repo.CommitAsync("first");
        var yaml = TestConfig.Yaml(Ports.Free(),
            [TestConfig.AutoEnvironment("dev"), "prod: { target: { local: {} }, policy: { requires: [dev], approval: { required: 1, approvers: [release-managers] } } }"],
            [SampleService.ServiceYaml("shop", repo.Path)], "auth: { mode: tokens }");
        string rootToken;
        long approved;
        await using (var onward = await OnwardHost.StartAsync(dir.Path, yaml))
        {
            var root = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json");
            rootToken = JsonDocument.Parse(root.Output).RootElement.GetProperty("token").GetString()!;
            using var admin = new OnwardApi(onward.Config.Server.Listen, rootToken);
            var (_, _, alice) = await admin.PostAsync<CreatedTokenResponse>("api/v1/tokens", new TokenRequestBody("alice", "approver", ["release-managers"]));
            (await admin.FinishedDeploymentAsync("shop", "dev", first)).State.ShouldBe(DeploymentState.Succeeded);
            var (_, _, request) = await admin.RequestAsync("shop", "prod", first[..7]);
            using var aliceApi = new OnwardApi(onward.Config.Server.Listen, alice!.Token);
            (await aliceApi.DecideAsync(request!.Id, comment: "go")).Status.ShouldBe(HttpStatusCode.OK);
            (await admin.FinishedDeploymentAsync("shop", "prod", first)).State.ShouldBe(DeploymentState.Succeeded);
            approved = request.Id;
            using var put = await admin.Http.PutAsync("api/v1/environments/dev/flags", new StringContent(
                """{"flags": {"new-checkout": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"}}}""", Encoding.UTF8, "application/json"));
            put.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        var environment = new Dictionary<string, string> { ["ONWARD_TEST_TARGET"] = database.Url };

        var copy = await OnwardCli.RunAsync(dir.Path, environment, "database", "copy", "--from", $"sqlite:{dir.Combine("onward.db")}", "--to", "${ONWARD_TEST_TARGET}");
        copy.ExitCode.ShouldBe(0, copy.Error + copy.Output);
        copy.Output.ShouldContain("deployments: 2 row(s)");
        copy.Output.ShouldContain("the counts match");
        var again = await OnwardCli.RunAsync(dir.Path, environment, "database", "copy", "--from", $"sqlite:{dir.Combine("onward.db")}", "--to", "${ONWARD_TEST_TARGET}");
        again.ExitCode.ShouldBe(1);
        again.Error.ShouldContain("copy only into an empty database (nothing was copied)");

        var second = await repo.CommitAsync("second");
        await using (var onward = await OnwardHost.StartAsync(dir.Path, database.Use(yaml)))
        {
            using var admin = new OnwardApi(onward.Config.Server.Listen, rootToken);
            var prod = await admin.DeploymentAsync(approved);
            prod.State.ShouldBe(DeploymentState.Succeeded, "the copied token works and the deployment is there");
            prod.Approvals.ShouldHaveSingleItem().By.ShouldBe("alice");
            prod.Events.Count.ShouldBeGreaterThan(3);
            (await admin.GetAsync<EnvironmentFlagsResponse>("api/v1/environments/dev/flags")).Flags.ShouldHaveSingleItem().Key.ShouldBe("new-checkout");
            (await admin.GetAsync<AuditEntryResponse[]>("api/v1/audit?limit=200")).ShouldContain(e => e.Action == "token.created");
            var next = await admin.FinishedDeploymentAsync("shop", "dev", second);
            next.State.ShouldBe(DeploymentState.Succeeded);
            next.Id.ShouldBeGreaterThan(approved, "new rows count on from the copied ids");
            (await admin.ServiceAsync("shop")).Environments.Single(e => e.Name == "prod").Current!.Commit.ShouldBe(first);
        }
    }

    [Fact]
    public async Task A_database_that_is_down_or_unreadable_at_start_is_a_clear_error_without_the_password()
    {
        await using var dir = new TempDirectory();
        var wait = new Dictionary<string, string> { ["ONWARD_DATABASE_WAIT"] = "3s" };
        var down = $"postgres://onward:hunter2@127.0.0.1:{Ports.Free()}/onward";

        var migrate = await OnwardCli.RunAsync(dir.Path, wait, "database", "migrate", "--database", down);
        migrate.ExitCode.ShouldBe(1);
        migrate.Error.ShouldContain("cannot be reached yet");
        migrate.Error.ShouldContain("trying again in 2 s");
        migrate.Error.ShouldContain("start it, check server.database, or wait longer with ONWARD_DATABASE_WAIT");
        (migrate.Output + migrate.Error).ShouldNotContain("hunter2");

        await File.WriteAllTextAsync(dir.Combine("onward.yaml"), TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev")], [])
            .Replace(TestConfig.SqliteDatabase, $"database: \"{down}\"", StringComparison.Ordinal));
        var serve = await OnwardCli.RunAsync(dir.Path, wait, "serve", "--config", "onward.yaml");
        serve.ExitCode.ShouldBe(1);
        serve.Error.ShouldContain("onward serve: PostgreSQL at postgres://onward@127.0.0.1:");
        (serve.Output + serve.Error).ShouldNotContain("hunter2");

        var bad = await OnwardCli.RunAsync(dir.Path, "database", "migrate", "--database", "postgres://db/onward?sslmode=sometimes");
        bad.ExitCode.ShouldBe(2);
        bad.Error.ShouldContain("sslmode 'sometimes' is unknown");
    }
}
