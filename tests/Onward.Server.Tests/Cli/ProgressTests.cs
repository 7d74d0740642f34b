using Onward.Contracts.Deployments;
using Onward.Testing;

namespace Onward.Server.Tests.Cli;

/// <summary>Issue 24.5: long work shows its progress as it happens: what a verification hears, a build's log, a deployment followed.</summary>
public class ProgressTests
{
    [Fact]
    public async Task What_a_verification_hears_is_in_the_timeline_once_per_answer_and_the_cli_follows_it_without_repeating_the_events()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var good = await repo.CommitAsync("good");
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            [TestConfig.AutoEnvironment("dev"), TestConfig.ManualEnvironment("prod")], [SampleService.ServiceYaml("shop", repo.Path, verifyTimeout: "4s")]));
        (await onward.Api.FinishedDeploymentAsync("shop", "dev", good)).State.ShouldBe(DeploymentState.Succeeded);
        await repo.BehaveAsync("unhealthy");
        var sick = await repo.CommitAsync("sick");
        var server = onward.Config.Server.Listen.ToString();

        var verifying = await Eventually.WaitAsync(async () => (await onward.Api.DeploymentsAsync("shop", "dev")).FirstOrDefault(d => d.Release.Commit == sick) is { } d
            && await onward.Api.DeploymentAsync(d.Id) is { Progress: { } heard } full && heard.Contains("503", StringComparison.Ordinal) ? full : null,
            "the verification to hear the release's 503");
        var watch = await OnwardCli.RunAsync(null, "deployments", "watch", verifying.Id.ToString(), "--server", server);
        var request = await OnwardCli.RunAsync(null, "deployments", "request", "--server", server, "--service", "shop", "--env", "prod", "--version", good[..7], "--wait");
        var ended = await onward.Api.DeploymentAsync(verifying.Id);

        verifying.Progress.ShouldNotBeNull().ShouldContain("503 Service Unavailable: \"starting\"");
        verifying.VerifyDeadline.ShouldNotBeNull();
        ended.State.ShouldBe(DeploymentState.Failed);
        ended.Progress.ShouldBeNull("progress is for a verification under way");
        ended.Events.Count(e => e.Message.Contains("503 Service Unavailable", StringComparison.Ordinal) && e.State == DeploymentState.Verifying)
            .ShouldBe(1, "the same answer is told once, however often it was heard");
        watch.ExitCode.ShouldBe(1, "a watched deployment that fails exits 1");
        watch.Output.ShouldContain("Verifying    waiting for http://127.0.0.1:");
        watch.Output.ShouldContain($"deployment {verifying.Id} Failed: shop {sick[..7]} did not become healthy within 4s");
        request.ExitCode.ShouldBe(0, request.Error);
        request.Output.ShouldContain("Succeeded");
        request.Output.ShouldNotContain("AT ", Case.Sensitive, "the events are not printed again as a table");
        request.Output.Trim().Split('\n')[^1].ShouldStartWith("deployment ");
    }

    [Fact]
    public async Task A_running_builds_log_is_followed_until_it_ends()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        await repo.CommitAsync("first");
        var slow = SampleService.ServiceYaml("shop", repo.Path).Replace(SampleService.BuildCommand,
            "echo compiling && sleep 2 && echo linking && " + SampleService.BuildCommand, StringComparison.Ordinal);
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev")], [slow]));
        var release = await Eventually.WaitAsync(async () => (await onward.Api.ReleasesAsync("shop")).FirstOrDefault(r => r.BuildStartedAt is not null), "the build to start");

        var followed = await OnwardCli.RunAsync(null, "releases", "log", release.Id.ToString(), "--follow", "--server", onward.Config.Server.Listen.ToString());

        followed.ExitCode.ShouldBe(0, followed.Error);
        followed.Output.ShouldContain("compiling");
        followed.Output.ShouldContain("linking");
        followed.Output.IndexOf("\ncompiling", StringComparison.Ordinal).ShouldBeLessThan(followed.Output.IndexOf("\nlinking", StringComparison.Ordinal));
        followed.Output.Split('\n').Count(l => l.Trim() == "compiling").ShouldBe(1, "each line once");
        followed.Output.Trim().Split('\n')[^1].ShouldBe($"release {release.Id} Built");
    }
}
