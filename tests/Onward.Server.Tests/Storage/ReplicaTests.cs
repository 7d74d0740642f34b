using Onward.Contracts.Deployments;
using Onward.Testing;

namespace Onward.Server.Tests.Storage;

/// <summary>Issue 15: several `onward serve` replicas on one PostgreSQL database, one of them killed the hard way.</summary>
public class ReplicaTests
{
    [Fact]
    public async Task When_the_replica_running_the_local_environments_is_killed_the_other_takes_over_its_processes_stable_ports_polling_and_deployments()
    {
        await using var replicas = await TwoReplicas.StartAsync();
        var (dir, repo, first, one, two) = (replicas.Dir, replicas.Repo, replicas.First, replicas.One, replicas.Two);
        (await one.Api.FinishedDeploymentAsync("shop", "dev", first)).State.ShouldBe(DeploymentState.Succeeded);
        var address = (await two.Api.ServiceAsync("shop")).Environments.Single().Url!;
        (await OnwardApi.AnswerAsync(address + "/")).ShouldBe($"{first[..7]} in dev");

        await one.KillAsync();

        await Eventually.WaitAsync(async () => await AnswerOrNullAsync(address) == $"{first[..7]} in dev",
            "the surviving replica to take over the release process and its stable port", TimeSpan.FromSeconds(30));
        var second = await repo.CommitAsync("second");
        (await two.Api.FinishedDeploymentAsync("shop", "dev", second)).State.ShouldBe(DeploymentState.Succeeded);
        (await OnwardApi.AnswerAsync(address + "/")).ShouldBe($"{second[..7]} in dev");
        var deployments = await two.Api.DeploymentsAsync("shop");
        deployments.Select(d => d.Release.Commit).ShouldBe([second, first], "one deployment per release, none twice");
        (await two.Api.ReleasesAsync("shop")).Length.ShouldBe(2, "each commit seen once, whichever replica polled it");
        (await File.ReadAllTextAsync(dir.Combine("two.log"))).ShouldContain("now runs the local environments");
    }

    [Fact]
    public async Task A_replica_that_loses_the_local_environments_while_alive_stops_deploying_there_and_the_other_takes_over_while_the_stable_port_serves_on()
    {
        await using var replicas = await TwoReplicas.StartAsync();
        var (dir, database, repo, first, one, two) = (replicas.Dir, replicas.Database, replicas.Repo, replicas.First, replicas.One, replicas.Two);
        (await one.Api.FinishedDeploymentAsync("shop", "dev", first)).State.ShouldBe(DeploymentState.Succeeded);
        var address = (await two.Api.ServiceAsync("shop")).Environments.Single().Url!;
        (await OnwardApi.AnswerAsync(address + "/")).ShouldBe($"{first[..7]} in dev");

        // The lease passes to two while one lives (as when one's database answered too late): two renews it at once,
        // while one still deploys there until its own renewal tells it; the forwarder serves the stable port throughout.
        var server = Onward.Server.Configuration.ConfigFile.LoadValid(replicas.Config).Server;
        var nameOfTwo = Onward.Server.Hosting.ServerIdentity.NameOf(server with { Listen = replicas.Two.Api.Http.BaseAddress! });
        (await database.ExecuteAsync("UPDATE leases SET owner = @owner, until_at = @until WHERE name = 'local'",
            new Dictionary<string, object> { ["owner"] = nameOfTwo, ["until"] = DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeMilliseconds() })).ShouldBe(1);

        await Eventually.WaitAsync(async () => (await File.ReadAllTextAsync(dir.Combine("two.log"))).Contains("now runs the local environments", StringComparison.Ordinal),
            "two to gain the local environments", TimeSpan.FromSeconds(30));
        await Eventually.WaitAsync(async () => (await File.ReadAllTextAsync(dir.Combine("one.log"))).Contains("no longer deploys to them", StringComparison.Ordinal),
            "one to let go of the local environments", TimeSpan.FromSeconds(30));
        await Eventually.WaitAsync(async () => await AnswerOrNullAsync(address) == $"{first[..7]} in dev",
            "two to serve the stable port", TimeSpan.FromSeconds(30));
        var second = await repo.CommitAsync("second");
        (await two.Api.FinishedDeploymentAsync("shop", "dev", second)).State.ShouldBe(DeploymentState.Succeeded);
        (await OnwardApi.AnswerAsync(address + "/")).ShouldBe($"{second[..7]} in dev", "the stable port serves what two deployed");
        (await two.Api.DeploymentsAsync("shop")).Select(d => (d.Release.Commit, d.State)).ShouldBe([(second, DeploymentState.Succeeded), (first, DeploymentState.Succeeded)]);
    }

    /// <summary>A repository with one commit, and two replicas on one new PostgreSQL database with dev on the local target; one started first.</summary>
    private sealed record TwoReplicas(TempDirectory Dir, TestPostgresDatabase Database, GitRepository Repo, string First, string Config, OnwardProcess One, OnwardProcess Two)
        : IAsyncDisposable
    {
        public static async Task<TwoReplicas> StartAsync()
        {
            var dir = new TempDirectory();
            var database = await TestPostgres.CreateDatabaseAsync();
            var repo = await GitRepository.InitAsync(dir.Combine("shop"));
            await repo.BehaveAsync("ok");
            var first = await repo.CommitAsync("first");
            var (portOne, portTwo) = (Ports.Free(), Ports.Free());
            var config = dir.Combine("onward.yaml");
            await File.WriteAllTextAsync(config, database.Use(TestConfig.Yaml(portOne, [TestConfig.AutoEnvironment("dev")], [SampleService.ServiceYaml("shop", repo.Path, poll: "500ms")])));
            var one = await OnwardProcess.StartAsync(config, new Uri($"http://127.0.0.1:{portOne}/"), dir.Combine("one.log"));
            var two = await OnwardProcess.StartAsync(config, new Uri($"http://127.0.0.1:{portTwo}/"), dir.Combine("two.log"), "--listen", $"http://127.0.0.1:{portTwo}");
            return new TwoReplicas(dir, database, repo, first, config, one, two);
        }

        public async ValueTask DisposeAsync()
        {
            await Two.DisposeAsync();
            await One.DisposeAsync();
            await Database.DisposeAsync();
            await Dir.DisposeAsync();
        }
    }

    private static async Task<string?> AnswerOrNullAsync(string address)
    {
        try
        {
            return await OnwardApi.AnswerAsync(address + "/");
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
