using Onward.Contracts.Deployments;
using Onward.Testing;

namespace Onward.Server.Tests.Sources;

public class RepositoryCredentialsTests
{
    /// <summary>Regression for issue 10.2: a password in a repository URL reached viewers, the CLI and the log.</summary>
    [Fact]
    public async Task A_password_in_a_repository_url_builds_but_is_never_shown_logged_or_put_on_a_command_line()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("served", "shop"));
        await repo.BehaveAsync("ok");
        var commit = await repo.CommitAsync();
        var password = "pw-" + Guid.NewGuid().ToString("N");
        await using var git = await GitHttpServer.StartAsync(dir.Combine("served"), "ci", password);
        var good = $"http://ci:{password}@127.0.0.1:{git.Url.Port}/shop";
        var wrong = $"http://ci:{password}-old@127.0.0.1:{git.Url.Port}/shop";
        var port = Ports.Free();
        var config = dir.Combine("onward.yaml");
        await File.WriteAllTextAsync(config, TestConfig.Yaml(port, [TestConfig.AutoEnvironment("dev-1")],
            [SampleService.ServiceYaml("shop", good), SampleService.ServiceYaml("stale", wrong)]));
        await using var onward = await OnwardProcess.StartAsync(config, new Uri($"http://127.0.0.1:{port}/"), dir.Combine("server.log"));

        (await onward.Api.FinishedDeploymentAsync("shop", "dev-1", commit)).State.ShouldBe(DeploymentState.Succeeded);
        await Eventually.WaitAsync(async () => (await File.ReadAllTextAsync(onward.Log)).Contains("stale: http://***@", StringComparison.Ordinal),
            "the failed fetch of the service with the wrong password to be logged");
        var shown = (await onward.Api.ServiceAsync("shop")).Repository;
        var cli = await OnwardCli.RunAsync(dir.Path, "--server", onward.Url.ToString(), "services", "list", "--json");
        var log = await File.ReadAllTextAsync(onward.Log);

        shown.ShouldBe($"http://***@127.0.0.1:{git.Url.Port}/shop");
        cli.ExitCode.ShouldBe(0);
        cli.Output.ShouldContain($"http://***@127.0.0.1:{git.Url.Port}/shop");
        cli.Output.ShouldNotContain(password);
        log.ShouldContain($"stale: http://***@127.0.0.1:{git.Url.Port}/shop cannot be read, so nothing of stale builds: ");
        (await onward.Api.ServiceAsync("stale")).Warnings.ShouldHaveSingleItem().ShouldNotContain(password);
        log.ShouldNotContain(password);
        git.Authorized.ShouldBeGreaterThan(0);
        git.Refused.ShouldBeGreaterThan(0);
        git.CommandLinesWithPassword.ShouldBeEmpty();
    }
}
