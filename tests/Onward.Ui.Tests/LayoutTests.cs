using System.Text;
using Microsoft.Playwright;
using Onward.Testing;

namespace Onward.Ui.Tests;

/// <summary>Issue 24.8: the visual defects stay fixed: captions aligned, buttons apart, times on one line, the Deploy form inside its card.</summary>
public class LayoutTests
{
    [Fact]
    public async Task Captions_align_with_their_tables_buttons_do_not_touch_times_do_not_wrap_and_the_deploy_form_keeps_its_card()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var commit = await repo.CommitAsync("first");
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev"), TestConfig.ManualEnvironment("prod")],
            [SampleService.ServiceYaml("shop", repo.Path)]));
        using (var put = await onward.Api.Http.PutAsync("api/v1/environments/dev/flags", new StringContent("""
            {"flags": {"new-checkout": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"}}}
            """, Encoding.UTF8, "application/json")))
        {
            put.EnsureSuccessStatusCode();
        }
        using (var patch = await onward.Api.Http.PatchAsync("api/v1/environments/dev/flags/new-checkout", new StringContent("""
            {"state": "DISABLED", "comment": "outage"}
            """, Encoding.UTF8, "application/json")))
        {
            patch.EnsureSuccessStatusCode();
        }
        await onward.Api.FinishedDeploymentAsync("shop", "dev", commit);
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.PageAsync(onward.Config.Server.Listen);

        await page.GotoAsync("/");
        (await page.Locator("caption").First.EvaluateAsync<string>("c => getComputedStyle(c).textAlign")).ShouldBe("left");

        await page.GotoAsync("/environments/dev/flags");
        var turnOn = await page.GetByRole(AriaRole.Button, new() { Name = "Turn on new-checkout" }).BoundingBoxAsync();
        var remove = await page.GetByRole(AriaRole.Button, new() { Name = "Remove the switch on new-checkout" }).BoundingBoxAsync();
        turnOn.ShouldNotBeNull();
        remove.ShouldNotBeNull();
        // Side by side, or one below the other where the cell is narrow: apart either way.
        var gap = Math.Abs(remove.Y - turnOn.Y) < 2 ? remove.X - (turnOn.X + turnOn.Width) : remove.Y - (turnOn.Y + turnOn.Height);
        ((double)gap).ShouldBeGreaterThanOrEqualTo(6, "a gap between the two buttons");

        await page.SetViewportSizeAsync(700, 900);
        await page.GotoAsync("/audit");
        var time = page.Locator("table time").First;
        await Assertions.Expect(time).ToBeVisibleAsync();
        (await time.EvaluateAsync<string>("t => getComputedStyle(t).whiteSpace")).ShouldBe("nowrap");
        var box = await time.BoundingBoxAsync();
        var line = await time.EvaluateAsync<double>("t => parseFloat(getComputedStyle(t).lineHeight) || parseFloat(getComputedStyle(t).fontSize) * 1.5");
        ((double)box!.Height).ShouldBeLessThan(line * 1.5, "one line");

        await page.SetViewportSizeAsync(1280, 900);
        await page.GotoAsync("/services/shop");
        var card = page.Locator("li.stage[data-environment=prod]");
        var before = (await card.BoundingBoxAsync())!.Width;
        await card.GetByText("Deploy to prod…").ClickAsync();
        await Assertions.Expect(card.GetByLabel("Reason for deploying to prod")).ToBeVisibleAsync();
        ((double)(await card.BoundingBoxAsync())!.Width).ShouldBe(before, 0.5, "opening the form does not widen its card");
    }
}
