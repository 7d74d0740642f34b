using Onward.Contracts.Deployments;
using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Onward.Contracts.Tokens;
using Onward.Testing;

namespace Onward.Ui.Tests;

/// <summary>Issue 14: the Service page's pipeline, what could go where and why not, and Deploy with a reason; a rejection in the browser.</summary>
public class ServiceTests
{
    [Fact]
    public async Task A_deployer_sees_why_a_release_cannot_go_to_prod_yet_deploys_it_through_qa_and_requests_prod_and_an_approver_rejects_it()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var commit = await repo.CommitAsync("Add the checkout page");
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            [
                TestConfig.AutoEnvironment("dev"),
                TestConfig.ManualEnvironment("qa"),
                "prod: { target: { local: {} }, policy: { requires: [dev, qa], approval: { required: 1, approvers: [release-managers] } } }",
            ],
            [SampleService.ServiceYaml("shop", repo.Path)], "auth: { mode: tokens }"));
        var root = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json");
        var rootToken = JsonDocument.Parse(root.Output).RootElement.GetProperty("token").GetString()!;
        using var admin = new OnwardApi(onward.Config.Server.Listen, rootToken);
        var tokens = new Dictionary<string, string>();
        foreach (var (name, role) in new[] { ("dana", "deployer"), ("alice", "approver"), ("vic", "viewer") })
        {
            var (status, problem, created) = await admin.PostAsync<CreatedTokenResponse>("api/v1/tokens", new TokenRequestBody(name, role, ["release-managers"]));
            status.ShouldBe(HttpStatusCode.Created, problem?.Detail);
            tokens[name] = created!.Token;
        }
        (await admin.FinishedDeploymentAsync("shop", "dev", commit)).State.ShouldBe(DeploymentState.Succeeded);
        var version = commit[..7];
        await using var browser = await Browser.LaunchAsync();

        var dana = await browser.SignInAsync(onward.Config.Server.Listen, tokens["dana"]);
        await Assertions.Expect(dana.Locator("td[data-service=shop][data-environment=dev] .cell-version")).ToHaveAttributeAsync("title", "Add the checkout page");
        await dana.GetByRole(AriaRole.Link, new() { Name = "shop", Exact = true }).ClickAsync();
        await Assertions.Expect(dana.GetByRole(AriaRole.Heading, new() { Name = "shop", Level = 1 })).ToBeVisibleAsync();
        var row = dana.Locator($"tr[data-version='{version}']");
        await Assertions.Expect(row.Locator("td[data-environment=dev]")).ToContainTextAsync("runs here");
        await Assertions.Expect(row.Locator("td[data-environment=qa]")).ToContainTextAsync("can go");
        await Assertions.Expect(row.Locator("td[data-environment=prod]")).ToContainTextAsync($"has not succeeded in qa yet, which prod requires first");
        await Assertions.Expect(dana.GetByText("Break-glass override reason")).ToHaveCountAsync(0);

        await dana.GetByText("Deploy to qa…").ClickAsync();
        await dana.GetByLabel("Release to deploy to qa").SelectOptionAsync(version);
        await dana.GetByLabel("Reason for deploying to qa").FillAsync("test the checkout page");
        await dana.GetByRole(AriaRole.Button, new() { Name = "Deploy to qa" }).ClickAsync();
        await Assertions.Expect(dana.GetByRole(AriaRole.Heading, new() { Name = $"shop {version} → qa" })).ToBeVisibleAsync();
        await Assertions.Expect(dana.GetByText("Reason: test the checkout page")).ToBeVisibleAsync();
        await Assertions.Expect(dana.Locator("ol.timeline")).ToContainTextAsync("Succeeded", new() { Timeout = 120_000 });

        await dana.GotoAsync("/services/shop");
        await Assertions.Expect(row.Locator("td[data-environment=prod]")).ToContainTextAsync("can go, after 1 approval from release-managers");
        await dana.GetByText("Deploy to prod…").ClickAsync();
        await dana.GetByLabel("Reason for deploying to prod").FillAsync("release the checkout page");
        await dana.GetByRole(AriaRole.Button, new() { Name = "Deploy to prod" }).ClickAsync();
        await Assertions.Expect(dana.GetByRole(AriaRole.Heading, new() { Name = $"shop {version} → prod" })).ToBeVisibleAsync();
        await Assertions.Expect(dana.GetByText("awaiting approval").First).ToBeVisibleAsync();
        var deploymentUrl = dana.Url;

        var alice = await browser.SignInAsync(onward.Config.Server.Listen, tokens["alice"]);
        await alice.GotoAsync(deploymentUrl);
        await alice.GetByLabel("Comment").FillAsync("not during the sale");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await Assertions.Expect(alice.GetByRole(AriaRole.Status)).ToContainTextAsync("Rejected.");
        await Assertions.Expect(alice.GetByText("✘ rejected by alice")).ToBeVisibleAsync();
        await Assertions.Expect(dana.GetByRole(AriaRole.Region, new() { Name = "Approvals" })).ToContainTextAsync("not during the sale", new() { Timeout = 30_000 });
        var prod = await admin.DeploymentsAsync("shop", "prod");
        prod.ShouldHaveSingleItem().State.ShouldBe(DeploymentState.Rejected);

        var vic = await browser.SignInAsync(onward.Config.Server.Listen, tokens["vic"]);
        await vic.GotoAsync("/services/shop");
        await Assertions.Expect(vic.GetByRole(AriaRole.Heading, new() { Name = "Which release could go where" })).ToBeVisibleAsync();
        await Assertions.Expect(vic.GetByText("Deploy to prod…")).ToHaveCountAsync(0);

        var root2 = await browser.SignInAsync(onward.Config.Server.Listen, rootToken);
        await root2.GotoAsync("/services/shop");
        await root2.GetByText("Deploy to prod…").ClickAsync();
        await root2.GetByLabel("Reason for deploying to prod").FillAsync("the fix for the outage");
        await root2.GetByLabel("⚠ Break-glass override reason for prod (admins only: skips prerequisites, forward-only and freezes, not approvals; leave empty to follow the policies)")
            .FillAsync("incident 4711");
        await root2.GetByRole(AriaRole.Button, new() { Name = "Deploy to prod" }).ClickAsync();
        await Assertions.Expect(root2.GetByText("⚠ Break-glass override: incident 4711")).ToBeVisibleAsync();
        await root2.GotoAsync("/services/nothing-here");
        await Assertions.Expect(root2.GetByRole(AriaRole.Alert)).ToContainTextAsync("There is no service nothing-here");
    }
}
