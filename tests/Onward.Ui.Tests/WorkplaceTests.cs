using Microsoft.Playwright;
using Onward.Contracts.Deployments;
using Onward.Testing;

namespace Onward.Ui.Tests;

/// <summary>Issue 24.8: the pages link to what they speak of, say what failed where, and preselect what may go.</summary>
public class WorkplaceTests
{
    [Fact]
    public async Task Deployments_link_to_their_release_service_environment_and_predecessor_releases_show_subjects_and_outcomes_and_the_service_page_says_failed_there()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var zero = await repo.CommitAsync("Start the shop");
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            [TestConfig.ManualEnvironment("dev"), TestConfig.ManualEnvironment("qa"), TestConfig.ManualEnvironment("prod", "{ requires: [dev] }")],
            [SampleService.ServiceYaml("shop", repo.Path)]));
        await onward.Api.BuiltReleaseAsync("shop", zero);
        var first = await repo.CommitAsync("Add the checkout page");
        await onward.Api.BuiltReleaseAsync("shop", first);
        await repo.BehaveAsync("crash");
        var broken = await repo.CommitAsync("Read the greeting from GREETING");
        await onward.Api.BuiltReleaseAsync("shop", broken);
        var zeroVersion = (await onward.Api.ReleasesAsync("shop")).Single(r => r.Commit == zero).Version;
        foreach (var (environment, commit) in new[] { ("dev", first), ("prod", first), ("dev", broken) })
        {
            var (status, problem, _) = await onward.Api.RequestAsync("shop", environment, commit[..7]);
            ((int)status).ShouldBe(202, problem?.Detail);
            await Eventually.WaitAsync(async () => (await onward.Api.DeploymentsAsync("shop", environment)).FirstOrDefault(d => d.Release.Commit == commit && d.State.IsTerminal() && d.Restore is null or "done"),
                $"{commit[..7]} in {environment}");
        }
        var failed = (await onward.Api.DeploymentsAsync("shop", "dev")).Single(d => d.Release.Commit == broken);
        failed.State.ShouldBe(DeploymentState.Failed);
        var replaced = (await onward.Api.DeploymentsAsync("shop", "dev")).Single(d => d.Release.Commit == first);
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.PageAsync(onward.Config.Server.Listen);

        await page.GotoAsync($"/deployments/{failed.Id}");
        await Assertions.Expect(page.Locator("[data-link=release]")).ToHaveAttributeAsync("href", $"/releases/{failed.Release.Id}");
        await Assertions.Expect(page.Locator("[data-link=log]")).ToHaveAttributeAsync("href", $"/releases/{failed.Release.Id}#log");
        await Assertions.Expect(page.Locator("[data-link=service]")).ToHaveAttributeAsync("href", "/services/shop");
        await Assertions.Expect(page.Locator("[data-link=environment]")).ToHaveAttributeAsync("href", "/environments#env-dev");
        await Assertions.Expect(page.Locator("[data-link=replaced]")).ToHaveAttributeAsync("href", $"/deployments/{replaced.Id}");
        await Assertions.Expect(page.Locator("ol.timeline time").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$"));
        await Assertions.Expect(page.Locator("ol.timeline time").Nth(1)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d\d:\d\d:\d\d\.\d{3}$"));
        await page.Locator("[data-link=environment]").ClickAsync();
        await Assertions.Expect(page.Locator("tr#env-dev")).ToBeVisibleAsync();

        await page.GotoAsync("/releases");
        var brokenRow = page.Locator($"tr[data-release='{failed.Release.Id}']");
        await Assertions.Expect(brokenRow.Locator("[data-subject]")).ToHaveTextAsync("Read the greeting from GREETING");
        await Assertions.Expect(brokenRow.Locator("[data-outcome=dev]")).ToHaveTextAsync("✘ dev");
        var firstRow = page.Locator($"tr[data-release='{replaced.Release.Id}']");
        await Assertions.Expect(firstRow.Locator("[data-outcomes]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"✔ dev\s*✔ prod"));

        await page.GotoAsync("/services/shop");
        await Assertions.Expect(page.Locator($"tr[data-version='{broken[..7]}'] td[data-environment=dev]")).ToContainTextAsync("failed there");
        await Assertions.Expect(page.Locator($"tr[data-version='{broken[..7]}'] td[data-environment=dev]")).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex($"failed there \\(deployment {failed.Id}\\): "));
        var older = page.Locator($"tr[data-version='{zeroVersion}']");
        await Assertions.Expect(older.Locator("td[data-environment=dev]")).ToHaveTextAsync("⊘ not forward");
        await Assertions.Expect(older.Locator("[data-why]")).ToHaveCountAsync(1);
        await Assertions.Expect(older.Locator("[data-why]")).ToContainTextAsync(zero[..7]);
        await Assertions.Expect(page.Locator("#version-qa")).ToHaveValueAsync(broken[..7], new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#version-dev")).ToHaveValueAsync("", new() { Timeout = 10_000 });
    }
}
