using Onward.Contracts.Deployments;
using Microsoft.Playwright;
using Onward.Testing;

namespace Onward.Ui.Tests;

/// <summary>Issue 14: the Releases pages with the build log streaming live, a failed build, and a failed deployment's diagnosis.</summary>
public class ReleaseTests
{
    /// <summary>A build that writes a step every half second until the test opens its gate (a file), so that it is still running however slowly the page opens.</summary>
    private static string GatedBuild(string gate) =>
        "if [ -f fail-build ]; then echo 'error: the tests failed' >&2; exit 4; fi; i=0; " +
        $"while [ ! -f {gate} ]; do i=$((i+1)); echo step $i; [ $i -lt 600 ] || exit 5; sleep 0.5; done; echo the gate opened; " +
        "cp -r . {artifact}/ && rm -rf {artifact}/.git";

    [Fact]
    public async Task The_build_log_streams_into_the_release_page_while_it_builds_and_a_failed_build_says_why()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var commit = await repo.CommitAsync("first");
        var gate = dir.Combine("gate");
        var service = SampleService.ServiceYaml("shop", repo.Path).Replace(SampleService.BuildCommand, GatedBuild(gate), StringComparison.Ordinal);
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev")], [service]));
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.PageAsync(onward.Config.Server.Listen);

        await page.GotoAsync("/releases");
        var link = page.GetByRole(AriaRole.Link, new() { Name = commit[..7] });
        await Assertions.Expect(link).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await link.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Release {commit[..7]} of shop" })).ToBeVisibleAsync();
        // Opened while it builds: the log then grows in place, without a reload, until the build ends.
        await Assertions.Expect(page.GetByText("Streams live while the build runs.")).ToBeVisibleAsync();
        await page.EvaluateAsync("window.__sameDocument = true");
        var log = page.GetByRole(AriaRole.Region, new() { Name = "Build log" });
        await Assertions.Expect(log).ToContainTextAsync("step 2", new() { Timeout = 30_000 });
        await Assertions.Expect(log).ToContainTextAsync("step 4", new() { Timeout = 30_000 });
        await File.WriteAllTextAsync(gate, "open\n");
        await Assertions.Expect(log).ToContainTextAsync("the gate opened", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByText("✔ built")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        (await page.EvaluateAsync<bool>("window.__sameDocument === true")).ShouldBeTrue("the log streamed into the page, no reload");
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Deployments of this release" })).ToContainTextAsync("→ dev", new() { Timeout = 60_000 });
        await Assertions.Expect(log).ToContainTextAsync("step 1");

        await repo.WriteAsync("fail-build", "yes\n");
        var broken = await repo.CommitAsync("break the tests");
        await page.GotoAsync("/releases?service=shop");
        await page.GetByRole(AriaRole.Link, new() { Name = broken[..7] }).ClickAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByText("✘ build failed")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Why the build failed" })).ToContainTextAsync("error: the tests failed");
        await Assertions.Expect(page.GetByText("Not deployed anywhere yet.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_failed_deployment_shows_its_diagnosis_and_the_restore_from_the_overview()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var good = await repo.CommitAsync("good");
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev")], [SampleService.ServiceYaml("shop", repo.Path)]));
        (await onward.Api.FinishedDeploymentAsync("shop", "dev", good)).State.ShouldBe(DeploymentState.Succeeded);
        await repo.BehaveAsync("crash");
        var bad = await repo.CommitAsync("crashes on start");
        var failed = await onward.Api.FinishedDeploymentAsync("shop", "dev", bad);
        failed.State.ShouldBe(DeploymentState.Failed);
        await onward.Api.RestoredAsync(failed.Id);
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.PageAsync(onward.Config.Server.Listen);

        await page.GotoAsync("/");
        var cell = page.Locator("td[data-service=shop][data-environment=dev]");
        await Assertions.Expect(cell).ToContainTextAsync("failed");
        await Assertions.Expect(cell.Locator(".cell-version")).ToHaveTextAsync(good[..7]);
        await cell.GetByRole(AriaRole.Link, new() { Name = $"deployment {failed.Id}: shop {bad[..7]} to dev" }).ClickAsync();
        var diagnosis = page.GetByRole(AriaRole.Region, new() { Name = "Diagnosis" });
        await Assertions.Expect(diagnosis).ToContainTextAsync("process:       exited with code 3");
        await Assertions.Expect(diagnosis).ToContainTextAsync("fatal: the configuration value 'Database' is missing");
        await Assertions.Expect(page.GetByText("Restore of the previous release: done")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("ol.timeline")).ToContainTextAsync($"restored {good[..7]}");
    }
}
