using Onward.Contracts.Deployments;
using Onward.Testing;

namespace Onward.Server.Tests.Pipeline;

public class RestartTests
{
    private static string Yaml(int port, string repository) => TestConfig.Yaml(port,
        [TestConfig.AutoEnvironment("dev-1")],
        [SampleService.ServiceYaml("shop", repository)]);

    private static int PidOf(string dataDir, long deploymentId) =>
        int.Parse(File.ReadAllText(Path.Combine(dataDir, "instances", deploymentId.ToString(), "pid")).Split(' ')[0]);

    /// <summary>
    /// Starts <c>onward serve</c> as a process on a repository whose release takes a while to start (8 s: the kill lands
    /// while it is verified even on a loaded machine, within the 20 s the verification may take), and kills it with
    /// SIGKILL while the deployment is being verified.
    /// </summary>
    private static async Task<(string Config, Uri Url, string Commit, long Id)> KillWhileVerifyingAsync(TempDirectory dir, string behavior)
    {
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync(behavior);
        var commit = await repo.CommitAsync("takes a while to start");
        var port = Ports.Free();
        var config = dir.Combine("onward.yaml");
        await File.WriteAllTextAsync(config, Yaml(port, repo.Path));
        var url = new Uri($"http://127.0.0.1:{port}/");
        await using var first = await OnwardProcess.StartAsync(config, url, dir.Combine("server-1.log"));
        var verifying = await Eventually.WaitAsync(async () => (await first.Api.DeploymentsAsync("shop", "dev-1"))
            .FirstOrDefault(d => d.State == DeploymentState.Verifying), "the deployment to be verifying");
        await first.KillAsync();
        return (config, url, commit, verifying.Id);
    }

    [Fact]
    public async Task Killing_the_server_mid_deployment_and_starting_it_again_finishes_that_deployment_exactly_once()
    {
        await using var dir = new TempDirectory();
        var (config, url, commit, id) = await KillWhileVerifyingAsync(dir, "slow:8000");
        var pidBefore = PidOf(dir.Combine(".onward"), id);
        Directory.Exists($"/proc/{pidBefore}").ShouldBeTrue("the release process outlives the killed server");

        await using var second = await OnwardProcess.StartAsync(config, url, dir.Combine("server-2.log"));
        var finished = await second.Api.FinishedDeploymentAsync("shop", "dev-1", commit);

        finished.Id.ShouldBe(id);
        finished.State.ShouldBe(DeploymentState.Succeeded);
        finished.Events.Count(e => e.State == DeploymentState.Succeeded).ShouldBe(1);
        finished.Events.Count(e => e.State == DeploymentState.Applying).ShouldBe(1);
        finished.Events.Transitions().Count(e => e.State == DeploymentState.Verifying).ShouldBe(1);
        PidOf(dir.Combine(".onward"), id).ShouldBe(pidBefore, "the same process was verified, not a second one");
        (await second.Api.DeploymentsAsync("shop")).Length.ShouldBe(1);
        var service = await second.Api.ServiceAsync("shop");
        (await OnwardApi.AnswerAsync(service.Environments[0].Url + "/")).ShouldBe($"{commit[..7]} in dev-1");
    }

    [Fact]
    public async Task Releases_keep_running_while_the_server_is_down_and_are_re_adopted_when_it_returns()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var commit = await repo.CommitAsync();
        var yaml = Yaml(Ports.Free(), repo.Path);
        string? stableUrl;
        long id;
        await using (var onward = await OnwardHost.StartAsync(dir.Path, yaml))
        {
            id = (await onward.Api.FinishedDeploymentAsync("shop", "dev-1", commit)).Id;
            stableUrl = (await onward.Api.ServiceAsync("shop")).Environments[0].Url;
        }
        var releasePort = File.ReadAllText(dir.Combine(".onward", "instances", id.ToString(), "port"));
        (await OnwardApi.AnswerAsync($"http://127.0.0.1:{releasePort}/")).ShouldBe($"{commit[..7]} in dev-1");

        await using var again = await OnwardHost.StartAsync(dir.Path, yaml);

        (await again.Api.ServiceAsync("shop")).Environments[0].Url.ShouldBe(stableUrl, "the stable port is kept across restarts");
        (await OnwardApi.AnswerAsync(stableUrl + "/")).ShouldBe($"{commit[..7]} in dev-1");
        var deployment = await again.Api.DeploymentAsync(id);
        deployment.Events[^1].Message.ShouldStartWith($"server started: re-adopted {commit[..7]} (pid ");
    }

    [Fact]
    public async Task A_current_release_that_died_while_the_server_was_down_is_started_again()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var commit = await repo.CommitAsync();
        var yaml = Yaml(Ports.Free(), repo.Path);
        long id;
        await using (var onward = await OnwardHost.StartAsync(dir.Path, yaml))
        {
            id = (await onward.Api.FinishedDeploymentAsync("shop", "dev-1", commit)).Id;
        }
        await new Onward.Integrations.LocalProcesses.DetachedProcess(dir.Combine(".onward", "instances", id.ToString()))
            .StopAsync(TimeSpan.FromSeconds(2), CancellationToken.None);

        await using var again = await OnwardHost.StartAsync(dir.Path, yaml);

        var url = (await again.Api.ServiceAsync("shop")).Environments[0].Url;
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                return await OnwardApi.AnswerAsync(url + "/") == $"{commit[..7]} in dev-1";
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the restarted release to answer on the stable port");
        (await again.Api.DeploymentAsync(id)).Events[^1].Message.ShouldContain("was not running");
    }

    /// <summary>
    /// Regression for issue 10.3: a crash in the moment between switching the stable port and stopping the previous
    /// release left that release running for ever. Here the moment is recreated: the retired release's process runs
    /// again, in its own instance directory that holds the intent to stop, when the server starts.
    /// </summary>
    [Fact]
    public async Task A_retired_release_left_running_by_a_crash_is_stopped_when_the_server_starts_and_the_current_one_serves_on()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var first = await repo.CommitAsync("first");
        var yaml = Yaml(Ports.Free(), repo.Path);
        long old, current;
        string stableUrl;
        await using (var onward = await OnwardHost.StartAsync(dir.Path, yaml))
        {
            old = (await onward.Api.FinishedDeploymentAsync("shop", "dev-1", first)).Id;
            var second = await repo.CommitAsync("second");
            current = (await onward.Api.FinishedDeploymentAsync("shop", "dev-1", second)).Id;
            stableUrl = (await onward.Api.ServiceAsync("shop")).Environments[0].Url!;
        }
        var oldDirectory = dir.Combine(".onward", "instances", old.ToString());
        File.Exists(Path.Combine(oldDirectory, "retire")).ShouldBeTrue("the intent to stop is recorded before the switch");
        var leftover = new Onward.Integrations.LocalProcesses.DetachedProcess(oldDirectory);
        await Eventually.WaitAsync(() => Task.FromResult(leftover.Status().State != Onward.Integrations.LocalProcesses.ProcessState.Running), "the retired release to stop");
        leftover.Reset();
        var pid = await leftover.StartAsync("exec sleep 300", oldDirectory, new Dictionary<string, string>(), CancellationToken.None);
        var unrelated = new Onward.Integrations.LocalProcesses.DetachedProcess(dir.Combine(".onward", "instances", "999"));
        await unrelated.StartAsync("exec sleep 300", dir.Path, new Dictionary<string, string>(), CancellationToken.None);

        await using var again = await OnwardHost.StartAsync(dir.Path, yaml);

        // Started here, the leftover is this process's child: reaped by this process a moment after the server stopped it.
        await Eventually.WaitAsync(() => Task.FromResult(!Directory.Exists($"/proc/{pid}")), "the leftover to be stopped and reaped");
        leftover.Status().State.ShouldNotBe(Onward.Integrations.LocalProcesses.ProcessState.Running);
        unrelated.Status().State.ShouldNotBe(Onward.Integrations.LocalProcesses.ProcessState.Running, "a process of a deployment the database does not know is stopped too");
        (await again.Api.DeploymentAsync(old)).Events[^1].Message.ShouldStartWith(
            $"server started: stopped the leftover release process (pid {pid}, port ");
        (await again.Api.DeploymentAsync(old)).Events[^1].Message.ShouldEndWith("it was being retired when the server stopped");
        PidOf(dir.Combine(".onward"), current).ShouldSatisfyAllConditions(p => Directory.Exists($"/proc/{p}").ShouldBeTrue());
        (await OnwardApi.AnswerAsync(stableUrl + "/")).ShouldEndWith("in dev-1");
    }

    /// <summary>
    /// Regression for issue 10.8: a deployment whose step held the job's lease when the server died waited for that
    /// lease to run out. Here the lease is made to last an hour, so only taking it back lets the deployment finish.
    /// </summary>
    [Fact]
    public async Task A_server_started_again_after_a_crash_takes_back_the_leases_it_held_at_once()
    {
        await using var dir = new TempDirectory();
        var (config, url, commit, id) = await KillWhileVerifyingAsync(dir, "slow:8000");
        var owner = Onward.Server.Hosting.ServerIdentity.NameOf(Onward.Server.Configuration.ConfigFile.LoadValid(config).Server);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={dir.Combine("onward.db")}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE jobs SET lease_owner = $owner, lease_until = $until WHERE kind = 'Deploy' AND subject = $id";
            command.Parameters.AddWithValue("$owner", owner);
            command.Parameters.AddWithValue("$until", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$id", id);
            (await command.ExecuteNonQueryAsync()).ShouldBe(1, "the step was running when the server died");
        }

        await using var second = await OnwardProcess.StartAsync(config, url, dir.Combine("server-2.log"));

        (await second.Api.FinishedDeploymentAsync("shop", "dev-1", commit)).State.ShouldBe(DeploymentState.Succeeded);
        // The line reaches the log file through the server's output pipe, maybe after the deployment finished.
        await Eventually.WaitAsync(async () => (await File.ReadAllTextAsync(second.Log)).Contains($"Took back 1 job(s) this server was running when it stopped ({owner})", StringComparison.Ordinal),
            "the server to say it took back the job");
    }

    /// <summary>A repository with one commit, and <c>onward serve</c> on it as a process with that commit deployed to dev-1.</summary>
    private static async Task<(GitRepository Repo, string Commit, int Port, Uri Url, OnwardProcess Running, Onward.Contracts.Deployments.DeploymentResponse Deployment)> RunningAsync(
        TempDirectory dir)
    {
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var commit = await repo.CommitAsync();
        var port = Ports.Free();
        await File.WriteAllTextAsync(dir.Combine("onward.yaml"), Yaml(port, repo.Path));
        var url = new Uri($"http://127.0.0.1:{port}/");
        var running = await OnwardProcess.StartAsync(dir.Combine("onward.yaml"), url, dir.Combine("server.log"));
        return (repo, commit, port, url, running, await running.Api.FinishedDeploymentAsync("shop", "dev-1", commit));
    }

    /// <summary>Regression for issue 10.7: a second server on a taken port adopted release processes, then died with a stack trace.</summary>
    [Fact]
    public async Task A_second_server_on_a_taken_address_changes_nothing_and_says_in_one_line_what_holds_it()
    {
        await using var dir = new TempDirectory();
        var (repo, commit, port, url, started, deployment) = await RunningAsync(dir);
        await using var running = started;
        var before = await DatabaseSnapshot.SettledAsync(dir.Combine("onward.db"));
        Directory.CreateDirectory(dir.Combine("elsewhere"));
        await File.WriteAllTextAsync(dir.Combine("elsewhere", "onward.yaml"), Yaml(port, repo.Path));

        var same = await OnwardCli.RunAsync(dir.Path, "serve", "--config", "onward.yaml");
        var other = await OnwardCli.RunAsync(dir.Combine("elsewhere"), "serve", "--config", "onward.yaml");

        foreach (var refused in new[] { same, other })
        {
            refused.ExitCode.ShouldBe(1);
            refused.Error.Trim().Split('\n').ShouldHaveSingleItem().ShouldStartWith(
                $"onward serve: cannot listen on {url}: the address is in use by pid {running.Pid} (");
            refused.Error.ShouldNotContain("Exception");
        }
        (await DatabaseSnapshot.TakeAsync(dir.Combine("onward.db"))).ShouldBe(before);
        File.Exists(dir.Combine("elsewhere", "onward.db")).ShouldBeFalse("nothing is created before the address is known to be free");
        (await running.Api.DeploymentAsync(deployment.Id)).Events.Count.ShouldBe(deployment.Events.Count);
    }

    /// <summary>Issue 22.3: a second server on the same SQLite configuration but another address bound the stable ports again.</summary>
    [Fact]
    public async Task A_second_server_on_the_same_sqlite_database_at_another_address_refuses_to_start_and_names_the_first()
    {
        await using var dir = new TempDirectory();
        var (repo, commit, port, url, started, deployment) = await RunningAsync(dir);
        await using var running = started;
        var stable = (await running.Api.ServiceAsync("shop")).Environments.Single(e => e.Name == "dev-1").Url!;
        var before = await DatabaseSnapshot.SettledAsync(dir.Combine("onward.db"));
        var other = Ports.Free();

        var second = await OnwardCli.RunAsync(dir.Path, "serve", "--config", "onward.yaml", "--listen", $"http://127.0.0.1:{other}");

        second.ExitCode.ShouldBe(1);
        second.Error.Trim().Split('\n').ShouldHaveSingleItem().ShouldBe(
            $"onward serve: another onward serve (pid {running.Pid}, listening on {url}) already owns the data directory {dir.Combine(".onward")}; with SQLite one server runs per database (stop that one first, or use PostgreSQL for several replicas)");
        (await DatabaseSnapshot.TakeAsync(dir.Combine("onward.db"))).ShouldBe(before);
        (await running.Api.DeploymentAsync(deployment.Id)).Events.Count.ShouldBe(deployment.Events.Count);
        for (var i = 0; i < 20; i++)
        {
            (await OnwardApi.AnswerAsync(stable + "/")).ShouldBe($"{commit[..7]} in dev-1");
        }
    }
}
