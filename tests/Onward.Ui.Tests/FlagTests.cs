using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Onward.Contracts.Flags;
using Onward.Testing;

namespace Onward.Ui.Tests;

/// <summary>Issue 14: the Flags page: switch a flag, edit targeting with validation and a preview, history with diffs, experiment results.</summary>
public class FlagTests
{
    [Fact]
    public async Task A_person_previews_and_saves_targeting_switches_a_flag_off_and_reads_the_history_and_the_experiment_in_the_browser()
    {
        await using var dir = new TempDirectory();
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev"), TestConfig.ManualEnvironment("prod")], []));
        var http = onward.Api.Http;
        using (var put = await http.PutAsync("api/v1/environments/dev/flags", new StringContent("""
            {"flags": {
              "new-checkout": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"},
              "button-color": {"state": "ENABLED", "variants": {"blue": "blue", "green": "green"}, "defaultVariant": "blue",
                "targeting": {"fractional": [{"cat": [{"var": "$flagd.flagKey"}, {"var": "targetingKey"}]}, ["blue", 50], ["green", 50]]}}
            }}
            """, Encoding.UTF8, "application/json")))
        {
            put.EnsureSuccessStatusCode();
        }
        for (var i = 0; i < 60; i++)
        {
            using var evaluated = await http.PostAsync("flags/dev/ofrep/v1/evaluate/flags/button-color", Json(new JsonObject { ["context"] = new JsonObject { ["targetingKey"] = $"user-{i}" } }));
            var variant = JsonNode.Parse(await evaluated.Content.ReadAsStringAsync())!["variant"]!.GetValue<string>();
            if (i % (variant == "green" ? 2 : 5) == 0)
            {
                using var tracked = await http.PostAsync("flags/dev/events", Json(new JsonObject { ["targetingKey"] = $"user-{i}", ["event"] = "purchase" }));
                tracked.EnsureSuccessStatusCode();
            }
        }
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.PageAsync(onward.Config.Server.Listen);
        await page.GotoAsync("/");

        await page.GetByRole(AriaRole.Link, new() { Name = "Flags" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Flags in dev" })).ToBeVisibleAsync();
        var row = page.Locator("tr[data-flag=new-checkout]");
        await Assertions.Expect(row.Locator("td").First).ToContainTextAsync("● on");
        await Assertions.Expect(row).ToContainTextAsync("the environment's own set");

        await page.GetByText("Targeting of new-checkout", new() { Exact = true }).ClickAsync();
        var rule = page.GetByLabel("Targeting rule of new-checkout (JsonLogic, {} for none)");
        await rule.FillAsync("""{"if": [{"no-such-operator": [1]}, "on", "off"]}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview new-checkout" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("The targeting of new-checkout cannot run.");
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("no-such-operator");
        await rule.FillAsync("""{"if": [{"==": [{"var": "plan"}, "pro"]}, "on", "off"]}""");
        await page.GetByLabel("Evaluation context to preview new-checkout (JSON)").FillAsync("""{"targetingKey": "user-1", "plan": "pro"}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview new-checkout" }).ClickAsync();
        var preview = page.Locator("details[data-targeting=new-checkout] p.preview");
        await Assertions.Expect(preview).ToContainTextAsync("evaluates to true (variant on), reason TARGETING_MATCH");
        (await http.GetFromJsonAsync<EnvironmentFlagsResponse>("api/v1/environments/dev/flags"))!.Flags.Single(f => f.Key == "new-checkout").Targeting.ShouldBeNull("a preview saves nothing");
        await page.GetByLabel("Why change the targeting of new-checkout").FillAsync("pro customers first");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the targeting of new-checkout" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("The targeting of new-checkout is saved.");
        await Assertions.Expect(row).ToContainTextAsync("with targeting");

        await page.GetByLabel("Why (for new-checkout)").FillAsync("incident 12: checkout errors");
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn off new-checkout" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("new-checkout is off in dev.");
        await Assertions.Expect(row.Locator("td").First).ToContainTextAsync("○ off");
        await Assertions.Expect(row).ToContainTextAsync("switched by anonymous");
        using (var evaluated = await http.PostAsync("flags/dev/ofrep/v1/evaluate/flags/new-checkout", Json(new JsonObject { ["context"] = new JsonObject { ["plan"] = "pro" } })))
        {
            (await evaluated.Content.ReadAsStringAsync()).ShouldContain("DISABLED");
        }
        var history = page.GetByRole(AriaRole.Region, new() { Name = "History" });
        await Assertions.Expect(history).ToContainTextAsync("incident 12: checkout errors");
        await Assertions.Expect(history).ToContainTextAsync("pro customers first");
        await Assertions.Expect(history.Locator("ul.diff li").First).ToContainTextAsync("state");

        var experiment = page.GetByRole(AriaRole.Region, new() { Name = "Experiment button-color: purchase" });
        await Assertions.Expect(experiment).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(experiment.GetByRole(AriaRole.Img)).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("^Conversion to purchase by variant: blue .+ of \\d+, green .+ of \\d+$"));
        await Assertions.Expect(experiment).ToContainTextAsync("blue (control)");

        await page.GetByRole(AriaRole.Link, new() { Name = "prod" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Flags in prod" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("No flags in prod yet.")).ToBeVisibleAsync();
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");
}
