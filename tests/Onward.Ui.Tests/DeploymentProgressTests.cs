using Microsoft.Playwright;
using Onward.Contracts.Deployments;
using Onward.Testing;

namespace Onward.Ui.Tests;

/// <summary>Issue 24.5: a verification's last answer is on the deployment's page as it changes.</summary>
public class DeploymentProgressTests
{
    [Fact]
    public async Task The_deployment_page_shows_what_the_verification_hears_while_it_waits()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("unhealthy");
        var sick = await repo.CommitAsync("sick");
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev")],
            [SampleService.ServiceYaml("shop", repo.Path, verifyTimeout: "60s")]));
        var deployment = await Eventually.WaitAsync(async () => (await onward.Api.DeploymentsAsync("shop", "dev")).FirstOrDefault(d => d.Release.Commit == sick),
            "the deployment");
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.PageAsync(onward.Config.Server.Listen);

        await page.GotoAsync($"/deployments/{deployment.Id}");

        await Assertions.Expect(page.Locator("[data-progress]")).ToContainTextAsync("503 Service Unavailable: \"starting\"");
        await Assertions.Expect(page.Locator("[data-progress]")).ToContainTextAsync("gives up at");
        await Assertions.Expect(page.GetByText("waiting for http://127.0.0.1:").Last).ToBeVisibleAsync();
        (await onward.Api.DeploymentAsync(deployment.Id)).State.ShouldBe(DeploymentState.Verifying);
    }
}
