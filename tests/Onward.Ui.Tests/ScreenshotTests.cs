using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Onward.Contracts.Deployments;
using Onward.Contracts.Tokens;
using Onward.Testing;

namespace Onward.Ui.Tests;

/// <summary>
/// Issue 14: a seeded server (two services through dev, staging and prod, a failed deployment, a production request
/// waiting for approval, a freeze, flags with an experiment, a webhook) and a picture of every page. With
/// <c>ONWARD_SCREENSHOTS=DIR</c> (scripts/screenshots.sh sets docs/screenshots) the pictures go there; otherwise to a
/// temporary directory, so that the script cannot rot. Every page loads without a script or policy error and is
/// usable by keyboard.
/// </summary>
public class ScreenshotTests
{
    private const string Secret = "screenshots";

    [Fact]
    public async Task Every_page_of_a_seeded_server_renders_without_errors_is_usable_by_keyboard_and_is_pictured()
    {
        await using var dir = new TempDirectory();
        var target = Environment.GetEnvironmentVariable("ONWARD_SCREENSHOTS") is { Length: > 0 } wanted ? Path.GetFullPath(wanted) : dir.Combine("screenshots");
        Directory.CreateDirectory(target);
        var shop = await GitRepository.InitAsync(dir.Combine("shop"));
        await shop.BehaveAsync("ok");
        var checkout = await shop.CommitAsync("Add the checkout page");
        var billing = await GitRepository.InitAsync(dir.Combine("billing"));
        await billing.BehaveAsync("ok");
        var invoices = await billing.CommitAsync("Send invoices as PDF");
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            [
                TestConfig.AutoEnvironment("dev"),
                TestConfig.ManualEnvironment("staging", "{ requires: [dev] }"),
                "prod: { target: { local: {} }, policy: { requires: [staging], approval: { required: 1, approvers: [release-managers] }, freeze: [{ cron: \"0 0 1 1 *\", duration: 24h, timezone: UTC }] } }",
            ],
            [SampleService.ServiceYaml("shop", shop.Path), SampleService.ServiceYaml("billing", billing.Path)],
            "auth: { mode: tokens }\n" + TestConfig.Webhooks(Secret)));
        var root = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json");
        using var admin = new OnwardApi(onward.Config.Server.Listen, JsonDocument.Parse(root.Output).RootElement.GetProperty("token").GetString()!);
        var (created, problem, alice) = await admin.PostAsync<CreatedTokenResponse>("api/v1/tokens", new TokenRequestBody("alice", "approver", ["release-managers"]));
        created.ShouldBe(HttpStatusCode.Created, problem?.Detail);
        (await admin.FinishedDeploymentAsync("shop", "dev", checkout)).State.ShouldBe(DeploymentState.Succeeded);
        (await admin.FinishedDeploymentAsync("billing", "dev", invoices)).State.ShouldBe(DeploymentState.Succeeded);
        foreach (var (service, commit) in new[] { ("shop", checkout), ("billing", invoices) })
        {
            var (status, refused, staging) = await admin.PostAsync<DeploymentResponse>("api/v1/deployments",
                new DeploymentRequestBody(service, "staging", commit[..7], null, "test before the release", null));
            status.ShouldBe(HttpStatusCode.Accepted, refused?.Detail);
            await Eventually.WaitAsync(async () => (await admin.DeploymentAsync(staging!.Id)).State == DeploymentState.Succeeded, $"{service} in staging");
        }
        var (requested, requestProblem, _) = await admin.PostAsync<DeploymentResponse>("api/v1/deployments",
            new DeploymentRequestBody("shop", "prod", checkout[..7], null, "release the checkout page", null));
        requested.ShouldBe(HttpStatusCode.Accepted, requestProblem?.Detail);
        await shop.BehaveAsync("crash");
        var cache = await shop.CommitAsync("Cache the cart in Redis");
        var failed = await admin.FinishedDeploymentAsync("shop", "dev", cache);
        await admin.RestoredAsync(failed.Id);
        var head = await billing.CommitAsync("Round totals to cents");
        using (var hook = await new WebhookSender(admin.Http, Secret).GitHubAsync("push", Payloads.GitHubPush(billing.Path, "refs/heads/main", invoices, head), delivery: "a1b2c3"))
        {
            hook.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }
        await admin.FinishedDeploymentAsync("billing", "dev", head);
        await SeedFlagsAsync(admin.Http);
        var (frozen, freezeProblem, _) = await admin.PostAsync<JsonObject>("api/v1/environments/staging/freeze", new { until = "4h", reason = "load test until noon" });
        frozen.ShouldBe(HttpStatusCode.OK, freezeProblem?.Detail);

        await using var browser = await Browser.LaunchAsync();
        var errors = new List<string>();
        var login = await browser.PageAsync(onward.Config.Server.Listen);
        await login.SetViewportSizeAsync(1280, 800);
        Watch(login, errors);
        await login.GotoAsync("/login");
        await login.ScreenshotAsync(new() { Path = Path.Combine(target, "login.png") });
        var page = await browser.SignInAsync(onward.Config.Server.Listen, alice!.Token);
        await page.SetViewportSizeAsync(1280, 800);
        Watch(page, errors);
        var releaseId = (await admin.ReleasesAsync("shop")).Single(r => r.Commit == checkout).Id;
        var pages = new (string Name, string Path, string Heading)[]
        {
            ("overview", "/", "Overview"),
            ("service", "/services/shop", "shop"),
            ("releases", "/releases", "Releases"),
            ("release", $"/releases/{releaseId}", $"Release {checkout[..7]} of shop"),
            ("deployment", $"/deployments/{failed.Id}", $"Deployment {failed.Id}"),
            ("approvals", "/approvals", "Approvals"),
            ("environments", "/environments", "Environments"),
            ("flags", "/environments/dev/flags", "Flags in dev"),
            ("dora", "/dora?environment=dev&days=30", "DORA measures"),
            ("audit", "/audit", "Audit"),
            ("webhooks", "/webhooks", "Webhook deliveries"),
        };
        foreach (var (name, path, heading) in pages)
        {
            await page.GotoAsync(path);
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 1 })).ToBeVisibleAsync();
            await page.ScreenshotAsync(new() { Path = Path.Combine(target, name + ".png"), FullPage = true });
        }
        await page.GotoAsync("/");
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await page.ScreenshotAsync(new() { Path = Path.Combine(target, "overview-dark.png") });
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });

        // The DORA page: a row per service and one over all, and three charts of the weeks.
        await page.GotoAsync("/dora?environment=dev&days=30");
        await Assertions.Expect(page.GetByRole(AriaRole.Rowheader, new() { Name = "all services" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = new System.Text.RegularExpressions.Regex("per week") })).ToHaveCountAsync(3);

        errors.ShouldBeEmpty("no page breaks its content security policy or throws");
        foreach (var (name, _, _) in pages)
        {
            new FileInfo(Path.Combine(target, name + ".png")).Length.ShouldBeGreaterThan(10_000, name);
        }

        // By keyboard alone: from the Service page's top, Tab reaches the Deploy action for staging, Enter opens it, and the form takes a reason.
        await page.GotoAsync("/services/shop");
        var reached = false;
        for (var i = 0; i < 60 && !reached; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached = await page.EvaluateAsync<bool>("document.activeElement && document.activeElement.textContent.trim() === 'Deploy to staging…'");
        }
        reached.ShouldBeTrue("Tab reaches the Deploy action");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByLabel("Reason for deploying to staging")).ToBeVisibleAsync();
        var unnamed = await page.EvaluateAsync<string[]>("""
            Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea, button'))
              .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
              .map(e => e.outerHTML)
            """);
        unnamed.ShouldBeEmpty("every control has an accessible name");
    }

    private static void Watch(IPage page, List<string> errors)
    {
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"{page.Url}: {message.Text}");
            }
        };
        page.PageError += (_, error) => errors.Add($"{page.Url}: {error}");
    }

    private static async Task SeedFlagsAsync(HttpClient http)
    {
        using (var put = await http.PutAsync("api/v1/environments/dev/flags", new StringContent("""
            {"flags": {
              "new-checkout": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
                "targeting": {"if": [{"==": [{"var": "plan"}, "pro"]}, "on", "off"]}},
              "button-color": {"state": "ENABLED", "variants": {"blue": "blue", "green": "green"}, "defaultVariant": "blue",
                "targeting": {"fractional": [{"cat": [{"var": "$flagd.flagKey"}, {"var": "targetingKey"}]}, ["blue", 50], ["green", 50]]}}
            }}
            """, Encoding.UTF8, "application/json")))
        {
            put.EnsureSuccessStatusCode();
        }
        for (var i = 0; i < 80; i++)
        {
            using var evaluated = await http.PostAsync("flags/dev/ofrep/v1/evaluate/flags/button-color",
                new StringContent(new JsonObject { ["context"] = new JsonObject { ["targetingKey"] = $"user-{i}" } }.ToJsonString(), Encoding.UTF8, "application/json"));
            var variant = JsonNode.Parse(await evaluated.Content.ReadAsStringAsync())!["variant"]!.GetValue<string>();
            if (i % (variant == "green" ? 3 : 5) == 0)
            {
                using var tracked = await http.PostAsync("flags/dev/events",
                    new StringContent(new JsonObject { ["targetingKey"] = $"user-{i}", ["event"] = "purchase" }.ToJsonString(), Encoding.UTF8, "application/json"));
            }
        }
        using var switched = await http.PatchAsync("api/v1/environments/dev/flags/new-checkout",
            new StringContent("""{"state": "DISABLED", "comment": "incident 12: checkout errors"}""", Encoding.UTF8, "application/json"));
        switched.EnsureSuccessStatusCode();
    }
}
