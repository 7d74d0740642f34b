using Microsoft.Playwright;
using Onward.Testing;

namespace Onward.Ui.Tests;

/// <summary>Issue 24.1–2: a missing main branch and a failed build are seen on the Overview and the Service page.</summary>
public class ServiceNotesTests
{
    [Fact]
    public async Task A_repository_without_its_main_branch_is_warned_of_and_a_failed_build_shows_up_live_with_a_link_to_its_release()
    {
        await using var dir = new TempDirectory();
        var lost = await GitRepository.InitAsync(dir.Combine("lost"), branch: "master");
        await lost.BehaveAsync("ok");
        await lost.CommitAsync("first");
        var shop = await GitRepository.InitAsync(dir.Combine("shop"));
        await shop.BehaveAsync("ok");
        await shop.CommitAsync("first");
        var lostYaml = SampleService.ServiceYaml("lost", lost.Path).Replace($"repository: {lost.Path}", $"repository: {lost.Path}\n    mainBranch: main", StringComparison.Ordinal);
        var shopYaml = SampleService.ServiceYaml("shop", shop.Path).Replace(SampleService.BuildCommand, "test ! -e broken && " + SampleService.BuildCommand, StringComparison.Ordinal);
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev")], [lostYaml, shopYaml]));
        await Eventually.WaitAsync(async () => (await onward.Api.ServiceAsync("lost")).Warnings.Count > 0, "lost's warning");
        await Eventually.WaitAsync(async () => (await onward.Api.ServiceAsync("shop")).LatestBuild?.State == "Built", "shop's first build");
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.PageAsync(onward.Config.Server.Listen);

        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByRole(AriaRole.Note).Filter(new() { HasText = "has no branch `main`" }))
            .ToContainTextAsync("its branches: master; set `mainBranch: master` for lost in onward.yaml");
        await page.EvaluateAsync("window.__sameDocument = true");
        await shop.WriteAsync("broken", "yes");
        var broken = await shop.CommitAsync("break the build");
        var failed = page.Locator("[data-build=failed]");
        await Assertions.Expect(failed).ToContainTextAsync($"build of {broken[..7]} failed", new() { Timeout = 120_000 });
        (await page.EvaluateAsync<bool>("window.__sameDocument === true")).ShouldBeTrue("the failure appeared without a reload");
        (await failed.Locator("a").GetAttributeAsync("title")).ShouldNotBeNullOrEmpty("the reason is on hover");

        await failed.Locator("a").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(broken[..7]);
        await page.GotoAsync("/services/lost");
        await Assertions.Expect(page.GetByRole(AriaRole.Note)).ToContainTextAsync("has no branch `main`");
    }
}
