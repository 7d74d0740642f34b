using System.Collections.Concurrent;
using System.Diagnostics;
using Onward.Contracts.Deployments;
using Onward.Integrations.LocalProcesses;
using Onward.Testing;

namespace Onward.Server.Tests.Pipeline;

/// <summary>Issue 24.7: a local environment's stable ports are served by its forwarder, which outlives the server.</summary>
public class StablePortTests
{
    [Fact]
    public async Task Stopping_killing_and_restarting_onward_serve_drops_not_one_request_to_a_stable_port_and_a_promotion_under_load_switches_without_a_gap()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var first = await repo.CommitAsync("first");
        var port = Ports.Free();
        var url = new Uri($"http://127.0.0.1:{port}");
        var config = dir.Combine("onward.yaml");
        await File.WriteAllTextAsync(config, TestConfig.Yaml(port, [TestConfig.AutoEnvironment("dev")], [SampleService.ServiceYaml("shop", repo.Path)]));
        var onward = await OnwardProcess.StartAsync(config, url, dir.Combine("serve.log"));
        try
        {
            (await onward.Api.FinishedDeploymentAsync("shop", "dev", first)).State.ShouldBe(DeploymentState.Succeeded);
            var address = (await onward.Api.ServiceAsync("shop")).Environments.Single().Url!;
            var answers = new ConcurrentQueue<string>();
            var failures = new ConcurrentQueue<string>();
            using var stop = new CancellationTokenSource();
            var load = Task.Run(() => AskEvery20MsAsync(address + "/", answers, failures, stop.Token));

            await Task.Delay(500);
            await onward.StopAsync();
            await Task.Delay(1000);
            onward = await OnwardProcess.StartAsync(config, url, dir.Combine("serve.log"));
            await Eventually.WaitAsync(async () => (await File.ReadAllTextAsync(onward.Log)).Contains("re-adopted", StringComparison.Ordinal), "the restarted server to re-adopt the release");
            await onward.KillAsync();
            await Task.Delay(1000);
            onward = await OnwardProcess.StartAsync(config, url, dir.Combine("serve.log"));
            var second = await repo.CommitAsync("second");
            (await onward.Api.FinishedDeploymentAsync("shop", "dev", second)).State.ShouldBe(DeploymentState.Succeeded);
            await Eventually.WaitAsync(() => Task.FromResult(answers.Contains($"{second[..7]} in dev")), "the stable port to serve the second release");
            await Task.Delay(500);
            await stop.CancelAsync();
            await load;

            failures.ShouldBeEmpty($"{failures.Count} of {failures.Count + answers.Count} requests failed");
            answers.Count.ShouldBeGreaterThan(100, "requests every 20 ms for several seconds");
            answers.Distinct().ShouldBe([$"{first[..7]} in dev", $"{second[..7]} in dev"], ignoreOrder: true);
            (await File.ReadAllTextAsync(onward.Log)).ShouldNotContain("forwarder of the stable ports of dev was not running", Case.Sensitive, "one forwarder served throughout");
        }
        finally
        {
            await onward.DisposeAsync();
        }
    }

    [Fact]
    public async Task Onward_local_stop_stops_an_environment_which_a_restarted_server_leaves_stopped_until_its_next_deployment()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var first = await repo.CommitAsync("first");
        var yaml = TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev-1"), TestConfig.AutoEnvironment("dev-2")], [SampleService.ServiceYaml("shop", repo.Path)]);
        string dev1, dev2;
        await using (var onward = await OnwardHost.StartAsync(dir.Path, yaml))
        {
            (await onward.Api.FinishedDeploymentAsync("shop", "dev-1", first)).State.ShouldBe(DeploymentState.Succeeded);
            (await onward.Api.FinishedDeploymentAsync("shop", "dev-2", first)).State.ShouldBe(DeploymentState.Succeeded);
            var environments = (await onward.Api.ServiceAsync("shop")).Environments;
            (dev1, dev2) = (environments.Single(e => e.Name == "dev-1").Url + "/", environments.Single(e => e.Name == "dev-2").Url + "/");
        }
        (await OnwardApi.AnswerAsync(dev1)).ShouldBe($"{first[..7]} in dev-1", "the server is stopped, its applications are not");

        var unknown = await OnwardCli.RunAsync(dir.Path, "local", "stop", "--env", "prod");
        unknown.ExitCode.ShouldBe(2);
        unknown.Error.ShouldContain("'prod' is not a local environment of onward.yaml; its local environments: dev-1, dev-2");
        var stopped = await OnwardCli.RunAsync(dir.Path, "local", "stop", "--env", "dev-1");

        stopped.ExitCode.ShouldBe(0, stopped.Error);
        stopped.Output.ShouldContain("Stopped 1 release process(es) and 1 forwarder(s) of stable ports in dev-1");
        await Should.ThrowAsync<HttpRequestException>(() => OnwardApi.AnswerAsync(dev1));
        (await OnwardApi.AnswerAsync(dev2)).ShouldBe($"{first[..7]} in dev-2");
        await using (var again = await OnwardHost.StartAsync(dir.Path, yaml))
        {
            await Eventually.WaitAsync(async () => (await again.Api.ServiceAsync("shop")).Environments.All(e => e.Url is not null), "the addresses to be known");
            await Should.ThrowAsync<HttpRequestException>(() => OnwardApi.AnswerAsync(dev1));
            (await OnwardApi.AnswerAsync(dev2)).ShouldBe($"{first[..7]} in dev-2");
            var second = await repo.CommitAsync("second");
            (await again.Api.FinishedDeploymentAsync("shop", "dev-1", second)).State.ShouldBe(DeploymentState.Succeeded);
            (await OnwardApi.AnswerAsync(dev1)).ShouldBe($"{second[..7]} in dev-1", "its next deployment starts it again, on the same stable port");
        }
        var all = await OnwardCli.RunAsync(dir.Path, "local", "stop");
        // Both environments' current releases, and any the last deployment of dev-2 was still retiring when the server stopped.
        all.Output.ShouldMatch(@"Stopped [234] release process\(es\) and 2 forwarder\(s\) of stable ports in every local environment");
        Directory.GetDirectories(dir.Combine(".onward", "forwarders")).Concat(Directory.GetDirectories(dir.Combine(".onward", "instances")))
            .ShouldAllBe(d => new DetachedProcess(d).Status().State != ProcessState.Running);
    }

    [Fact]
    public async Task A_forwarder_that_dies_is_started_again_and_a_service_removed_from_onward_yaml_gives_its_port_back()
    {
        await using var dir = new TempDirectory();
        var shop = await GitRepository.InitAsync(dir.Combine("shop"));
        await shop.BehaveAsync("ok");
        var first = await shop.CommitAsync("first");
        var cart = await GitRepository.InitAsync(dir.Combine("cart"));
        await cart.BehaveAsync("ok");
        var cartFirst = await cart.CommitAsync("first");
        var port = Ports.Free();
        string Yaml(params string[] services) =>
            TestConfig.Yaml(port, [TestConfig.AutoEnvironment("dev"), TestConfig.ManualEnvironment("prod")], services.Select(s => SampleService.ServiceYaml(s, dir.Combine(s))));
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml("shop", "cart"));
        (await onward.Api.FinishedDeploymentAsync("shop", "dev", first)).State.ShouldBe(DeploymentState.Succeeded);
        (await onward.Api.FinishedDeploymentAsync("cart", "dev", cartFirst)).State.ShouldBe(DeploymentState.Succeeded);
        var shopAddress = (await onward.Api.ServiceAsync("shop")).Environments.Single(e => e.Name == "dev").Url + "/";
        var cartAddress = (await onward.Api.ServiceAsync("cart")).Environments.Single(e => e.Name == "dev").Url + "/";
        // A stable port with nothing behind it yet says so, in HTTP, instead of resetting the connection.
        var prodAddress = (await onward.Api.ServiceAsync("shop")).Environments.Single(e => e.Name == "prod").Url + "/";
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            using var nothing = await http.GetAsync(prodAddress);
            ((int)nothing.StatusCode).ShouldBe(503);
            (await nothing.Content.ReadAsStringAsync()).ShouldBe("nothing is deployed to shop in prod yet; Onward relays this port once a release is verified\n");
        }
        var forwarder = new DetachedProcess(dir.Combine(".onward", "forwarders", "dev"));
        var pid = forwarder.Status().Pid.ShouldNotBeNull();

        // As an out-of-memory kill would: the forwarder with its wrapper, at once.
        using (var kill = Process.Start("kill", ["-KILL", "--", $"-{pid}"]))
        {
            await kill.WaitForExitAsync();
        }
        await Eventually.WaitAsync(() => Task.FromResult(forwarder.Status().State != ProcessState.Running || forwarder.Status().Pid != pid), "the forwarder to be gone");

        await Eventually.WaitAsync(() => Task.FromResult(forwarder.Status() is { State: ProcessState.Running, Pid: var again } && again != pid), "the forwarder to be started again");
        await Eventually.WaitAsync(async () => await AnswerOrNullAsync(shopAddress) == $"{first[..7]} in dev", "the stable port to answer again");
        (await OnwardApi.AnswerAsync(cartAddress)).ShouldBe($"{cartFirst[..7]} in dev");

        await File.WriteAllTextAsync(onward.ConfigPath, Yaml("shop"));

        await Eventually.WaitAsync(async () => await AnswerOrNullAsync(cartAddress) is null, "cart's stable port to close");
        (await OnwardApi.AnswerAsync(shopAddress)).ShouldBe($"{first[..7]} in dev");
        new StablePorts(dir.Combine(".onward"), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).Routes("dev").Routes.Select(r => r.Service).ShouldBe(["shop"]);

        // A release that stops taking connections behind its port: a 502 in words.
        foreach (var instance in Directory.GetDirectories(dir.Combine(".onward", "instances")))
        {
            await new DetachedProcess(instance).StopAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        // Stopped means its wrapper is gone; the release itself may take a moment longer to let go of its port.
        var backend = new StablePorts(dir.Combine(".onward"), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).Routes("dev").Routes.Single().Backend;
        await Eventually.WaitAsync(async () =>
        {
            using var probe = new System.Net.Sockets.TcpClient();
            try
            {
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, backend);
                return false;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return true;
            }
        }, $"the release to let go of port {backend}");
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            using var gone = await http.GetAsync(shopAddress);
            ((int)gone.StatusCode).ShouldBe(502);
            (await gone.Content.ReadAsStringAsync()).ShouldStartWith("the release behind shop in dev (port ");
        }
    }

    private static async Task<string?> AnswerOrNullAsync(string url)
    {
        try
        {
            return await OnwardApi.AnswerAsync(url);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task AskEvery20MsAsync(string url, ConcurrentQueue<string> answers, ConcurrentQueue<string> failures, CancellationToken stop)
    {
        // A new connection for each request, so that each goes through the forwarder's accept.
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        var sent = 0;
        while (!stop.IsCancellationRequested)
        {
            var due = TimeSpan.FromMilliseconds(20 * ++sent);
            if (due > clock.Elapsed)
            {
                try
                {
                    await Task.Delay(due - clock.Elapsed, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            try
            {
                answers.Enqueue((await http.GetStringAsync(url, CancellationToken.None)).Trim());
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                failures.Enqueue($"{clock.Elapsed}: {e.Message}");
            }
        }
    }
}
