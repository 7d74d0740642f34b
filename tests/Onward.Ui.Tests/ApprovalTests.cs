using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Onward.Contracts.Deployments;
using Onward.Contracts.Tokens;
using Onward.Testing;

namespace Onward.Ui.Tests;

/// <summary>Issue 14: a production deployment requested, approved by a second person in the browser, and watched until verified.</summary>
public class ApprovalTests
{
    [Fact]
    public async Task A_second_person_approves_a_production_request_in_the_browser_and_watches_it_become_verified_while_the_requester_sees_why_they_cannot()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var commit = await repo.CommitAsync("first");
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            [TestConfig.AutoEnvironment("dev"), "prod: { target: { local: {} }, policy: { requires: [dev], approval: { required: 1, approvers: [release-managers] } } }"],
            [SampleService.ServiceYaml("shop", repo.Path)], "auth: { mode: tokens }"));
        var root = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json");
        using var admin = new OnwardApi(onward.Config.Server.Listen, JsonDocument.Parse(root.Output).RootElement.GetProperty("token").GetString()!);
        var tokens = new Dictionary<string, string>();
        foreach (var name in new[] { "alice", "bob" })
        {
            var (status, problem, created) = await admin.PostAsync<CreatedTokenResponse>("api/v1/tokens", new TokenRequestBody(name, "approver", ["release-managers"]));
            status.ShouldBe(HttpStatusCode.Created, problem?.Detail);
            tokens[name] = created!.Token;
        }
        using var bob = new OnwardApi(onward.Config.Server.Listen, tokens["bob"]);
        (await bob.FinishedDeploymentAsync("shop", "dev", commit)).State.ShouldBe(DeploymentState.Succeeded);
        await using var browser = await Browser.LaunchAsync();
        var alicePage = await browser.SignInAsync(onward.Config.Server.Listen, tokens["alice"]);
        await Assertions.Expect(alicePage.GetByRole(AriaRole.Link, new() { Name = "Approvals" })).ToContainTextAsync("(0)");
        var (requested, requestProblem, deployment) = await bob.PostAsync<DeploymentResponse>("api/v1/deployments",
            new DeploymentRequestBody("shop", "prod", commit[..7], null, "ship the first version", null));
        requested.ShouldBe(HttpStatusCode.Accepted, requestProblem?.Detail);
        // Issue 24.8: the count in the navigation follows the page's live updates, without a reload.
        await Assertions.Expect(alicePage.GetByRole(AriaRole.Link, new() { Name = "Approvals" })).ToContainTextAsync("(1)");

        var bobPage = await browser.SignInAsync(onward.Config.Server.Listen, tokens["bob"]);
        await bobPage.GotoAsync($"/deployments/{deployment!.Id}");
        await Assertions.Expect(bobPage.GetByRole(AriaRole.Note)).ToContainTextAsync($"bob requested deployment {deployment.Id} and cannot approve it");
        await Assertions.Expect(bobPage.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);

        await alicePage.GetByRole(AriaRole.Link, new() { Name = "Approvals" }).ClickAsync();
        await alicePage.GetByRole(AriaRole.Link, new() { Name = $"#{deployment.Id} shop {commit[..7]} → prod" }).ClickAsync();
        await Assertions.Expect(alicePage.GetByText("Needs 1 approval from release-managers")).ToBeVisibleAsync();
        await alicePage.GetByLabel("Comment").FillAsync("looks good");
        await alicePage.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(alicePage.GetByRole(AriaRole.Status)).ToContainTextAsync("Approved.");
        await Assertions.Expect(alicePage.GetByText("✔ approved by alice")).ToBeVisibleAsync();
        await Assertions.Expect(alicePage.Locator("ol.timeline")).ToContainTextAsync("Succeeded", new() { Timeout = 120_000 });
        await Assertions.Expect(bobPage.Locator("ol.timeline")).ToContainTextAsync("Succeeded", new() { Timeout = 120_000 });
    }
}
