using Onward.Contracts.Deployments;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Onward.Contracts.Flags;
using Onward.Testing;

namespace Onward.Server.Tests.Flags;

/// <summary>
/// Issue 13: flags shipped with releases. The flags file at a release's commit becomes the service's flags where the
/// release is verified, the timeline says what changed, switches outlive releases, a failed release leaves the
/// previous flags in place, and a bad or conflicting flags file fails the release before anything is applied.
/// </summary>
public class ReleaseFlagsTests
{
    private static string Flags(string checkoutState, string bannerDefault = "winter", string extra = "") => $$"""
        {
          "flags": {
            "new-checkout": { "state": "{{checkoutState}}", "variants": { "on": true, "off": false }, "defaultVariant": "on" },
            "banner": { "state": "ENABLED", "variants": { "winter": "Winter sale", "spring": "Spring sale" }, "defaultVariant": "{{bannerDefault}}" }{{extra}}
          }
        }
        """;

    [Fact]
    public async Task A_release_ships_its_flags_where_it_is_verified_and_a_failed_release_keeps_the_previous_ones()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        await repo.WriteAsync("flags/flags.json", Flags("DISABLED"));
        var first = await repo.CommitAsync("new checkout, dark");
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev"), TestConfig.ManualEnvironment("prod")],
            [SampleService.ServiceYaml("shop", repo.Path) + "\n    flags: flags/flags.json"]));
        var http = onward.Api.Http;
        var server = onward.Config.Server.Listen.ToString();

        var deployed = await onward.Api.FinishedDeploymentAsync("shop", "dev", first);
        deployed.State.ShouldBe(DeploymentState.Succeeded, deployed.Reason + deployed.Diagnosis);
        deployed.Events.ShouldContain(e => e.Message == "flags: banner, new-checkout added");
        var flags = (await http.GetFromJsonAsync<EnvironmentFlagsResponse>("api/v1/environments/dev/flags"))!;
        flags.Flags.Single(f => f.Key == "new-checkout").Source.ShouldBe(new FlagSourceResponse("release", "shop", first[..7], deployed.Id, $"release {first[..7]}",
            flags.Flags[0].Source.At));
        (await Ofrep(http, "dev", "new-checkout"))["reason"]!.GetValue<string>().ShouldBe("DISABLED");
        (await http.GetFromJsonAsync<EnvironmentFlagsResponse>("api/v1/environments/prod/flags"))!.Flags.ShouldBeEmpty("prod has not run this release");

        await repo.WriteAsync("flags/flags.json", Flags("ENABLED"));
        var second = await repo.CommitAsync("new checkout on");
        var enabled = await onward.Api.FinishedDeploymentAsync("shop", "dev", second);
        enabled.Events.ShouldContain(e => e.Message == "flags: new-checkout changed");
        (await Ofrep(http, "dev", "new-checkout"))["value"]!.GetValue<bool>().ShouldBeTrue();
        var history = (await http.GetFromJsonAsync<FlagChangeResponse[]>("api/v1/environments/dev/flags/new-checkout/history"))!;
        history[0].Source.ShouldBe("release");
        history[0].DeploymentId.ShouldBe(enabled.Id);
        history[0].Changes.ShouldBe([new FlagFieldChangeResponse("state", "\"DISABLED\"", "\"ENABLED\"")]);
        var diff = await OnwardCli.RunAsync(null, "flags", "diff", "--service", "shop", "--from", first[..7], "--to", second[..7], "--server", server);
        diff.ExitCode.ShouldBe(0, diff.Output + diff.Error);
        diff.Output.ShouldContain("new-checkout: changed");
        diff.Output.ShouldContain("state: \"DISABLED\" → \"ENABLED\"");

        // A switch is kept over later releases; the next release's other changes still arrive.
        (await OnwardCli.RunAsync(null, "flags", "set", "new-checkout", "--env", "dev", "--state", "DISABLED", "--comment", "incident 42", "--server", server)).ExitCode.ShouldBe(0);
        await repo.WriteAsync("flags/flags.json", Flags("ENABLED", bannerDefault: "spring"));
        var third = await repo.CommitAsync("spring banner");
        (await onward.Api.FinishedDeploymentAsync("shop", "dev", third)).Events.ShouldContain(e => e.Message == "flags: banner changed");
        (await Ofrep(http, "dev", "new-checkout"))["reason"]!.GetValue<string>().ShouldBe("DISABLED", "the switch outlives the release");
        (await Ofrep(http, "dev", "banner"))["value"]!.GetValue<string>().ShouldBe("Spring sale");

        // A release that fails verification never ships its flags: the previous release's stay, with its code.
        await repo.BehaveAsync("crash");
        await repo.WriteAsync("flags/flags.json", Flags("ENABLED", bannerDefault: "winter", extra: """, "summer": { "state": "ENABLED", "variants": { "on": true }, "defaultVariant": "on" }"""));
        var crashing = await repo.CommitAsync("crashes, with a summer flag");
        var failed = await onward.Api.FinishedDeploymentAsync("shop", "dev", crashing);
        failed.State.ShouldBe(DeploymentState.Failed);
        (await onward.Api.RestoredAsync(failed.Id)).Restore.ShouldBe("done");
        (await Ofrep(http, "dev", "banner"))["value"]!.GetValue<string>().ShouldBe("Spring sale");
        (await OfrepStatus(http, "dev", "summer")).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_release_whose_flags_file_is_invalid_or_takes_a_key_it_does_not_own_fails_before_anything_is_applied()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        await repo.WriteAsync("flags/flags.json", Flags("ENABLED"));
        var good = await repo.CommitAsync();
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev")],
            [SampleService.ServiceYaml("shop", repo.Path) + "\n    flags: flags/flags.json"]));
        var http = onward.Api.Http;
        (await onward.Api.FinishedDeploymentAsync("shop", "dev", good)).State.ShouldBe(DeploymentState.Succeeded);

        await repo.WriteAsync("flags/flags.json", """{"flags": {"new-checkout": {"state": "ENABLED", "variants": {"on": true, "off": "no"}, "defaultVariant": "on"}}}""");
        var broken = await repo.CommitAsync("mixed variant types");
        var failed = await onward.Api.FinishedDeploymentAsync("shop", "dev", broken);
        failed.State.ShouldBe(DeploymentState.Failed);
        failed.Reason.ShouldBe($"invalid flags, nothing was applied: {broken[..7]}: its flags file flags/flags.json is not a valid flag document: " +
            "$.flags.new-checkout.variants.off: is a string but the flag's other variants are a boolean; all variants of a flag have one type");
        failed.Events.ShouldNotContain(e => e.State == DeploymentState.Verifying, "nothing was applied");

        using var put = await http.PutAsync("api/v1/environments/dev/flags",
            new StringContent("""{"flags": {"promo": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"}}}""", Encoding.UTF8, "application/json"));
        put.EnsureSuccessStatusCode();
        await repo.WriteAsync("flags/flags.json", Flags("ENABLED", extra: """, "promo": { "state": "ENABLED", "variants": { "on": true }, "defaultVariant": "on" }"""));
        var taking = await repo.CommitAsync("takes promo");
        var conflict = await onward.Api.FinishedDeploymentAsync("shop", "dev", taking);
        conflict.State.ShouldBe(DeploymentState.Failed);
        conflict.Reason!.ShouldContain("`promo` belongs to the environment's own flag set in dev");

        using var takeBack = await http.PutAsync("api/v1/environments/dev/flags",
            new StringContent("""{"flags": {"banner": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"}}}""", Encoding.UTF8, "application/json"));
        takeBack.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await takeBack.Content.ReadAsStringAsync()).ShouldContain("`banner` belongs to shop's release flags in dev");
    }

    private static async Task<JsonNode> Ofrep(HttpClient http, string environment, string key)
    {
        using var response = await http.PostAsync($"flags/{environment}/ofrep/v1/evaluate/flags/{key}", new StringContent("{}", Encoding.UTF8, "application/json"));
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static async Task<HttpStatusCode> OfrepStatus(HttpClient http, string environment, string key)
    {
        using var response = await http.PostAsync($"flags/{environment}/ofrep/v1/evaluate/flags/{key}", new StringContent("{}", Encoding.UTF8, "application/json"));
        return response.StatusCode;
    }
}
