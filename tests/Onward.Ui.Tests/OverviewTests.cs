using Onward.Contracts.Deployments;
using Microsoft.Playwright;
using Onward.Testing;

namespace Onward.Ui.Tests;

/// <summary>Issue 14: the web UI in a real browser against a real server.</summary>
public class OverviewTests
{
    [Fact]
    public async Task A_person_signs_in_with_a_token_and_sees_a_new_commit_reach_the_dev_environments_live_without_a_reload()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var first = await repo.CommitAsync("first");
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            [TestConfig.AutoEnvironment("dev-1"), TestConfig.AutoEnvironment("dev-2"), "prod: { target: { local: {} }, policy: { requires: [dev-1, dev-2] } }"],
            [SampleService.ServiceYaml("shop", repo.Path)], "auth: { mode: tokens }"));
        var token = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "alice", "--role", "viewer", "--json");
        token.ExitCode.ShouldBe(0, token.Error);
        var secret = System.Text.Json.JsonDocument.Parse(token.Output).RootElement.GetProperty("token").GetString()!;
        using var api = new OnwardApi(onward.Config.Server.Listen, secret);
        (await api.FinishedDeploymentAsync("shop", "dev-1", first)).State.ShouldBe(DeploymentState.Succeeded);
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.PageAsync(onward.Config.Server.Listen);

        await page.GotoAsync("/");
        page.Url.ShouldEndWith("/login", customMessage: "every page but /login needs a session");
        await page.GetByLabel("Token").FillAsync("onw_not-a-token");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("unknown, revoked or expired");
        var sdk = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "web-app", "--role", "sdk", "--env", "dev-1", "--json");
        sdk.ExitCode.ShouldBe(0, sdk.Error);
        await page.GetByLabel("Token").FillAsync(System.Text.Json.JsonDocument.Parse(sdk.Output).RootElement.GetProperty("token").GetString()!);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("or it is an SDK key (which only evaluates flags)");
        (await page.Context.CookiesAsync()).ShouldNotContain(c => c.Name == "onward_session", "an SDK key opens no session");
        await page.GetByLabel("Token").FillAsync(secret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Signed in as alice")).ToBeVisibleAsync();
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "onward_session");
        cookie.HttpOnly.ShouldBeTrue();
        cookie.SameSite.ShouldBe(SameSiteAttribute.Strict);
        cookie.Value.ShouldNotContain(secret);
        page.Url.ShouldNotContain(secret);

        var devCell = page.Locator("td[data-service=shop][data-environment=dev-1]");
        await Assertions.Expect(devCell).ToContainTextAsync(first[..7]);
        await Assertions.Expect(devCell).ToContainTextAsync("verified");
        await Assertions.Expect(page.Locator("td[data-service=shop][data-environment=prod]")).ToContainTextAsync("nothing yet");
        await page.EvaluateAsync("window.__sameDocument = true");

        var second = await repo.CommitAsync("second");
        await Assertions.Expect(devCell).ToContainTextAsync(second[..7], new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("td[data-service=shop][data-environment=dev-2]")).ToContainTextAsync(second[..7], new() { Timeout = 120_000 });
        (await page.EvaluateAsync<bool>("window.__sameDocument === true")).ShouldBeTrue("the page updated in place, without a reload");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        page.Url.ShouldEndWith("/login");
        await page.GotoAsync("/");
        page.Url.ShouldEndWith("/login", customMessage: "signed out, the session is gone");
    }
}
