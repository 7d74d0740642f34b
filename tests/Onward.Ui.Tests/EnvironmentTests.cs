using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Onward.Contracts.Tokens;
using Onward.Testing;

namespace Onward.Ui.Tests;

/// <summary>Issue 14: environments with their policies in words; an admin freezes and unfreezes, a viewer only reads.</summary>
public class EnvironmentTests
{
    [Fact]
    public async Task An_admin_freezes_and_unfreezes_production_in_the_browser_and_a_viewer_sees_no_such_controls()
    {
        await using var dir = new TempDirectory();
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            [TestConfig.AutoEnvironment("dev"), "prod: { target: { local: {} }, policy: { requires: [dev], approval: { required: 2, approvers: [release-managers] } } }"], [],
            "auth: { mode: tokens }"));
        var root = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json");
        var rootToken = JsonDocument.Parse(root.Output).RootElement.GetProperty("token").GetString()!;
        using var admin = new OnwardApi(onward.Config.Server.Listen, rootToken);
        var (status, problem, vera) = await admin.PostAsync<CreatedTokenResponse>("api/v1/tokens", new TokenRequestBody("vera", "viewer", []));
        status.ShouldBe(HttpStatusCode.Created, problem?.Detail);
        await using var browser = await Browser.LaunchAsync();

        var page = await browser.SignInAsync(onward.Config.Server.Listen, rootToken);
        await page.GetByRole(AriaRole.Link, new() { Name = "Environments" }).ClickAsync();
        var prod = page.Locator("tr[data-environment=prod]");
        await Assertions.Expect(prod).ToContainTextAsync("a release must have succeeded in dev first");
        await Assertions.Expect(prod).ToContainTextAsync("needs 2 approvals from release-managers, never the requester's own");
        await Assertions.Expect(prod).ToContainTextAsync("not frozen");
        await page.GetByLabel("Environment", new() { Exact = true }).SelectOptionAsync("prod");
        await page.GetByLabel("Until").FillAsync("2h");
        await page.GetByLabel("Reason").FillAsync("year-end close");
        await page.GetByRole(AriaRole.Button, new() { Name = "Freeze", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("prod is frozen until");
        await Assertions.Expect(prod).ToContainTextAsync("frozen, ends in 2 h");
        await Assertions.Expect(prod).ToContainTextAsync("year-end close");
        await page.GetByRole(AriaRole.Link, new() { Name = "Overview" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Columnheader, new() { Name = "prod" })).ToContainTextAsync("frozen, ends in 2 h");

        var viewer = await browser.SignInAsync(onward.Config.Server.Listen, vera!.Token);
        await viewer.GotoAsync("/environments");
        await Assertions.Expect(viewer.Locator("tr[data-environment=prod]")).ToContainTextAsync("year-end close");
        await Assertions.Expect(viewer.GetByRole(AriaRole.Button, new() { Name = "Freeze", Exact = true })).ToHaveCountAsync(0);

        await page.GotoAsync("/environments");
        await page.GetByLabel("Environment to unfreeze").SelectOptionAsync("prod");
        await page.GetByRole(AriaRole.Button, new() { Name = "Unfreeze" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("prod is no longer frozen");
        await Assertions.Expect(page.Locator("tr[data-environment=prod]")).ToContainTextAsync("not frozen");

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit" }).ClickAsync();
        await page.GetByLabel("Environment", new() { Exact = true }).FillAsync("prod");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Table)).ToContainTextAsync("freeze.set");
        await Assertions.Expect(page.GetByRole(AriaRole.Table)).ToContainTextAsync("year-end close");
        await Assertions.Expect(page.GetByRole(AriaRole.Table)).ToContainTextAsync("freeze.lifted");
    }
}
