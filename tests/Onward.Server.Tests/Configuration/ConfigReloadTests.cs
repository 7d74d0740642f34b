using System.Net;
using System.Net.Http.Json;
using Onward.Contracts.Deployments;
using Onward.Contracts.Server;
using Onward.Server.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Onward.Testing;

namespace Onward.Server.Tests.Configuration;

/// <summary>Issue 24.6: an edit of onward.yaml takes effect without a restart when it is valid, and changes nothing when it is not.</summary>
public class ConfigReloadTests
{
    [Fact]
    public async Task A_valid_edit_adds_a_service_live_an_invalid_one_keeps_the_running_configuration_and_says_where_and_the_listen_address_needs_a_restart()
    {
        await using var dir = new TempDirectory();
        var shop = await GitRepository.InitAsync(dir.Combine("shop"));
        await shop.BehaveAsync("ok");
        var shopFirst = await shop.CommitAsync("first");
        var cart = await GitRepository.InitAsync(dir.Combine("cart"));
        await cart.BehaveAsync("ok");
        var cartFirst = await cart.CommitAsync("first");
        var port = Ports.Free();
        string Yaml(int listen, params string[] services) =>
            TestConfig.Yaml(listen, [TestConfig.AutoEnvironment("dev")], services.Select(s => SampleService.ServiceYaml(s, dir.Combine(s))));
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(port, "shop"));
        (await onward.Api.FinishedDeploymentAsync("shop", "dev", shopFirst)).State.ShouldBe(DeploymentState.Succeeded);
        var started = await ServerAsync(onward.Api);
        started.ConfigFile.ShouldBe(onward.ConfigPath);
        started.ReloadError.ShouldBeNull();
        started.Services.ShouldBe(1);
        started.Version.ShouldNotBeNullOrEmpty();

        await File.WriteAllTextAsync(onward.ConfigPath, Yaml(port, "shop", "cart"));

        (await onward.Api.FinishedDeploymentAsync("cart", "dev", cartFirst)).State.ShouldBe(DeploymentState.Succeeded, "a service added by an edit is polled, built and deployed");
        var reloaded = await ServerAsync(onward.Api);
        reloaded.Services.ShouldBe(2);
        reloaded.LoadedAt.ShouldBeGreaterThan(started.LoadedAt);
        reloaded.NeedsRestart.ShouldBeEmpty();

        var broken = Yaml(port, "shop", "cart").Replace("poll: 200ms", "poll: soon", StringComparison.Ordinal);
        var line = broken.Split('\n').ToList().FindIndex(l => l.Contains("poll: soon", StringComparison.Ordinal)) + 1;
        await File.WriteAllTextAsync(onward.ConfigPath, broken);

        var refused = await Eventually.WaitAsync(async () => await ServerAsync(onward.Api) is { ReloadError: not null } s ? s : null, "the refused edit on /api/v1/server");
        refused.ReloadError.ShouldNotBeNull().ShouldContain(p => p.StartsWith($"{onward.ConfigPath}:{line}:", StringComparison.Ordinal) && p.Contains("services.shop.poll", StringComparison.Ordinal));
        refused.LoadedAt.ShouldBe(reloaded.LoadedAt, "the configuration in force is the one loaded before");
        refused.Services.ShouldBe(2);
        (await onward.Api.ServiceAsync("cart")).Name.ShouldBe("cart");
        var page = await onward.Api.Http.GetStringAsync("/");
        page.ShouldContain("data-config=\"refused\"");
        page.ShouldContain($"{onward.ConfigPath}:{line}:");

        var elsewhere = Ports.Free();
        await File.WriteAllTextAsync(onward.ConfigPath, Yaml(elsewhere, "shop", "cart"));

        var restart = await Eventually.WaitAsync(async () => await ServerAsync(onward.Api) is { NeedsRestart.Count: > 0 } s ? s : null, "the listen address to need a restart");
        restart.NeedsRestart.ShouldBe(["server.listen"]);
        restart.ReloadError.ShouldBeNull("the edit is valid, so the error of the one before is gone");
        (await onward.Api.Http.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK, "the server goes on listening where it started");
        (await onward.Api.Http.GetStringAsync("/")).ShouldContain("server.listen changed in");
    }

    [Fact]
    public async Task A_deployment_in_flight_finishes_under_the_configuration_it_started_with_and_the_next_one_runs_under_the_edit()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("slow:4000");
        var slow = await repo.CommitAsync("slow to start");
        var port = Ports.Free();
        var yaml = TestConfig.Yaml(port, [TestConfig.AutoEnvironment("dev")], [SampleService.ServiceYaml("shop", repo.Path)]);
        await using var onward = await OnwardHost.StartAsync(dir.Path, yaml);
        var verifying = await Eventually.WaitAsync(async () => (await onward.Api.DeploymentsAsync("shop", "dev")).FirstOrDefault(d => d.Release.Commit == slow && d.State == DeploymentState.Verifying),
            "the slow release to be verifying");

        // The edit points the health check where nothing listens, with a short timeout: what starts after it fails.
        var status = onward.Services.GetRequiredService<ConfigStatus>();
        await File.WriteAllTextAsync(onward.ConfigPath, yaml.Replace("127.0.0.1:{port}/healthz", "127.0.0.1:9/healthz", StringComparison.Ordinal).Replace("timeout: 20s", "timeout: 3s", StringComparison.Ordinal));
        await Eventually.WaitAsync(() => Task.FromResult(status.Generation > 0), "the edit to be loaded");
        status.ReloadError.ShouldBeNull();

        var finished = await onward.Api.FinishedDeploymentAsync("shop", "dev", slow);
        finished.Id.ShouldBe(verifying.Id);
        finished.State.ShouldBe(DeploymentState.Succeeded, finished.Reason);
        finished.Reason.ShouldNotBeNull().ShouldNotContain(":9/healthz");

        await repo.BehaveAsync("ok");
        var next = await repo.CommitAsync("after the edit");
        var after = await onward.Api.FinishedDeploymentAsync("shop", "dev", next);
        after.State.ShouldBe(DeploymentState.Failed);
        after.Reason.ShouldNotBeNull().ShouldContain("within 3s");
    }

    [Fact]
    public async Task Why_an_edit_was_refused_and_where_the_file_is_are_for_admins_others_learn_how_many_problems_there_are()
    {
        await using var dir = new TempDirectory();
        var yaml = TestConfig.Yaml(Ports.Free(), [TestConfig.ManualEnvironment("dev")], [], "auth: { mode: tokens }");
        await using var onward = await OnwardHost.StartAsync(dir.Path, yaml);
        var root = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json");
        using var admin = new OnwardApi(onward.Config.Server.Listen, System.Text.Json.JsonDocument.Parse(root.Output).RootElement.GetProperty("token").GetString()!);
        var (_, _, created) = await admin.PostAsync<Onward.Contracts.Tokens.CreatedTokenResponse>("api/v1/tokens", new Onward.Contracts.Tokens.TokenRequestBody("vic", "viewer", []));
        using var viewer = new OnwardApi(onward.Config.Server.Listen, created!.Token);

        await File.WriteAllTextAsync(onward.ConfigPath, yaml + "\nnotifications: { hook: { webhook: { url: 'http://127.0.0.1:9/?token=s3cret' }, events: [nonsense] } }\n");

        var seen = await Eventually.WaitAsync(async () => await ServerAsync(admin) is { ReloadError: not null } s ? s : null, "the refused edit");
        seen.ConfigFile.ShouldBe(onward.ConfigPath);
        var told = await ServerAsync(viewer);
        told.ConfigFile.ShouldBeNull();
        told.ReloadError.ShouldNotBeNull().ShouldHaveSingleItem().ShouldStartWith($"onward.yaml was edited but has {seen.ReloadError!.Count} problem(s); an admin sees them");
        told.ReloadError[0].ShouldNotContain("s3cret");
    }

    [Fact]
    public async Task SIGHUP_loads_a_file_that_is_a_link_to_another_folder_again()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        await repo.CommitAsync("first");
        var port = Ports.Free();
        var url = new Uri($"http://127.0.0.1:{port}");
        Directory.CreateDirectory(dir.Combine("mounted"));
        var target = dir.Combine("mounted", "onward.yaml");
        string Yaml(params string[] environments) =>
            TestConfig.Yaml(port, environments.Select(TestConfig.AutoEnvironment), [SampleService.ServiceYaml("shop", repo.Path)]).Replace("dataDir: .onward", $"dataDir: {dir.Combine(".onward")}", StringComparison.Ordinal)
                .Replace("sqlite:onward.db", $"sqlite:{dir.Combine("onward.db")}", StringComparison.Ordinal);
        await File.WriteAllTextAsync(target, Yaml("dev"));
        File.CreateSymbolicLink(dir.Combine("onward.yaml"), target);
        await using var onward = await OnwardProcess.StartAsync(dir.Combine("onward.yaml"), url, dir.Combine("serve.log"));
        (await ServerAsync(onward.Api)).Environments.ShouldBe(1);

        await File.WriteAllTextAsync(target, Yaml("dev", "qa"));
        using (var hangup = System.Diagnostics.Process.Start("kill", ["-HUP", onward.Pid.ToString()]))
        {
            await hangup.WaitForExitAsync();
        }

        await Eventually.WaitAsync(async () => (await File.ReadAllTextAsync(onward.Log)).Contains("loaded again (SIGHUP)", StringComparison.Ordinal), "the reload SIGHUP asked for");
        (await ServerAsync(onward.Api)).Environments.ShouldBe(2);
        (await File.ReadAllTextAsync(onward.Log)).ShouldNotContain("Unhandled", Case.Sensitive, "the signal does not stop the server");
        (await onward.Api.Http.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static async Task<ServerResponse> ServerAsync(OnwardApi api) =>
        (await api.Http.GetFromJsonAsync<ServerResponse>("/api/v1/server", OnwardApi.Json))!;
}
