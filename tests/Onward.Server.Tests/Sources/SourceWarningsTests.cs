using Onward.Testing;

namespace Onward.Server.Tests.Sources;

/// <summary>Issue 24.1–2: what keeps a service from shipping is said where people look, not only in a log.</summary>
public class SourceWarningsTests
{
    [Fact]
    public async Task A_main_branch_that_is_not_there_and_a_repository_that_cannot_be_read_are_warned_of_in_validate_the_api_and_the_cli_until_fixed()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"), branch: "master");
        await repo.BehaveAsync("ok");
        var first = await repo.CommitAsync("first");
        var shop = SampleService.ServiceYaml("shop", repo.Path).Replace($"repository: {repo.Path}", $"repository: {repo.Path}\n    mainBranch: main", StringComparison.Ordinal);
        var yaml = TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev")], [shop, SampleService.ServiceYaml("gone", "http://127.0.0.1:9/nothing.git")]);
        await File.WriteAllTextAsync(dir.Combine("onward.yaml"), yaml);
        var missing = $"{repo.Path} has no branch `main` (its `mainBranch`), so nothing of shop builds; its branches: master; set `mainBranch: master` for shop in onward.yaml, or push that branch";

        var validate = await OnwardCli.RunAsync(dir.Path, "validate");

        validate.ExitCode.ShouldBe(0, validate.Error);
        validate.Output.ShouldContain($"warning: onward.yaml: services.shop: {missing}");
        validate.Output.ShouldNotContain("services.gone", Case.Sensitive, "a repository elsewhere is the server's to look at");

        await using var onward = await OnwardHost.StartAsync(dir.Path, yaml);
        var warned = await Eventually.WaitAsync(async () => await onward.Api.ServiceAsync("shop") is { Warnings.Count: > 0 } s ? s : null, "shop's warning");
        warned.Warnings.ShouldBe([missing]);
        var gone = await Eventually.WaitAsync(async () => await onward.Api.ServiceAsync("gone") is { Warnings.Count: > 0 } s ? s : null, "gone's warning");
        gone.Warnings.ShouldHaveSingleItem().ShouldStartWith("http://127.0.0.1:9/nothing.git cannot be read, so nothing of gone builds: ");
        gone.Warnings[0].ShouldContain("127.0.0.1", Case.Sensitive, "git's own reason is kept");
        var cli = await OnwardCli.RunAsync(null, "services", "list", "--server", onward.Config.Server.Listen.ToString());
        cli.ExitCode.ShouldBe(0, cli.Error);
        cli.Output.ShouldContain("warning: shop: " + missing[..40]);
        cli.Output.ShouldContain("warning: gone: http://127.0.0.1:9/nothing.git cannot be read");

        await repo.RunAsync("branch", "main");

        (await onward.Api.FinishedDeploymentAsync("shop", "dev", first)).State.ShouldBe(Contracts.Deployments.DeploymentState.Succeeded);
        await Eventually.WaitAsync(async () => (await onward.Api.ServiceAsync("shop")).Warnings.Count == 0, "the warning to go once main is there");
    }

    [Fact]
    public async Task Editing_mainBranch_to_the_branch_the_repository_has_builds_its_head_at_once_without_a_new_commit_or_a_restart()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"), branch: "master");
        await repo.BehaveAsync("ok");
        var first = await repo.CommitAsync("first");
        var shop = SampleService.ServiceYaml("shop", repo.Path).Replace($"repository: {repo.Path}", $"repository: {repo.Path}\n    mainBranch: main", StringComparison.Ordinal);
        var yaml = TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev")], [shop]);
        await using var onward = await OnwardHost.StartAsync(dir.Path, yaml);
        await Eventually.WaitAsync(async () => (await onward.Api.ServiceAsync("shop")).Warnings.Count > 0, "the warning of the missing branch");

        await File.WriteAllTextAsync(onward.ConfigPath, yaml.Replace("mainBranch: main", "mainBranch: master", StringComparison.Ordinal));

        (await onward.Api.FinishedDeploymentAsync("shop", "dev", first)).State.ShouldBe(Contracts.Deployments.DeploymentState.Succeeded);
        (await onward.Api.ServiceAsync("shop")).Warnings.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_failed_build_is_seen_on_the_service_with_its_reason_and_in_the_release_list()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        await repo.CommitAsync("first");
        var shop = SampleService.ServiceYaml("shop", repo.Path).Replace(SampleService.BuildCommand, "test ! -e broken && " + SampleService.BuildCommand, StringComparison.Ordinal);
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev")], [shop]));
        await Eventually.WaitAsync(async () => await onward.Api.ServiceAsync("shop") is { LatestBuild.State: "Built" } s ? s : null, "the first build");

        await repo.WriteAsync("broken", "yes");
        var broken = await repo.CommitAsync("break the build");
        var failed = await Eventually.WaitAsync(async () => await onward.Api.ServiceAsync("shop") is { LatestBuild: { State: "BuildFailed" } b } ? b : null, "the failed build on the service");

        failed.Commit.ShouldBe(broken);
        failed.Failure.ShouldNotBeNull().ShouldContain("exit");
        var services = await OnwardCli.RunAsync(null, "services", "list", "--server", onward.Config.Server.Listen.ToString());
        services.Output.ShouldContain($"{broken[..7]} BuildFailed");
        services.Output.ShouldContain($"build failed: shop {broken[..7]}: ");
        services.Output.ShouldContain($"(onward releases log {failed.ReleaseId})");
        var releases = await OnwardCli.RunAsync(null, "releases", "list", "--server", onward.Config.Server.Listen.ToString());
        releases.Output.ShouldContain("REASON");
        releases.Output.ShouldContain($"(onward releases log {failed.ReleaseId})");
    }
}
