using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Onward.Contracts.Flags;
using Onward.Testing;

namespace Onward.Server.Tests.Flags;

/// <summary>Issue 13: an A/B experiment: exposures from OFREP evaluations (each user once), conversions from tracked events, results per variant.</summary>
public class ExperimentTests
{
    [Fact]
    public async Task Exposures_and_conversions_give_each_variants_rate_and_its_difference_to_the_control()
    {
        await using var dir = new TempDirectory();
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev")], []));
        var http = onward.Api.Http;
        using (var put = await http.PutAsync("api/v1/environments/dev/flags", new StringContent("""
            {"flags": {
              "checkout-button": {"state": "ENABLED", "variants": {"blue": "blue", "green": "green"}, "defaultVariant": "blue",
                "targeting": {"fractional": [{"cat": [{"var": "$flagd.flagKey"}, {"var": "targetingKey"}]}, ["blue", 50], ["green", 50]]}},
              "static": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"}
            }}
            """, Encoding.UTF8, "application/json")))
        {
            put.EnsureSuccessStatusCode();
        }
        // One user converts before ever seeing the experiment: not counted for it.
        (await Track(http, "early-bird", "purchase")).ShouldBe(HttpStatusCode.Accepted);

        var shown = new Dictionary<string, string>();
        for (var i = 0; i < 400; i++)
        {
            var user = $"user-{i}";
            var answer = await Evaluate(http, user);
            shown[user] = answer["variant"]!.GetValue<string>();
            if (i % 4 == 0)
            {
                await Evaluate(http, user);
                using var bulk = await http.PostAsync("flags/dev/ofrep/v1/evaluate/flags", Context(user));
            }
        }
        (await Evaluate(http, "early-bird"))["reason"]!.GetValue<string>().ShouldBe("TARGETING_MATCH");
        // Green converts one in three, blue one in six.
        foreach (var (user, variant) in shown)
        {
            var index = int.Parse(user["user-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            if (index % (variant == "green" ? 3 : 6) == 0)
            {
                (await Track(http, user, "purchase", 42.5)).ShouldBe(HttpStatusCode.Accepted);
            }
            if (index % 10 == 0)
            {
                await Track(http, user, "signup");
            }
        }

        var results = await Eventually.WaitAsync(async () =>
            await http.GetFromJsonAsync<ExperimentResultsResponse>("api/v1/environments/dev/flags/checkout-button/results?event=purchase") is { } r
            && r.Variants.Sum(v => v.Exposed) == 401 && r.Events.Count == 2 ? r : null, "the exposures to be written");

        results.Control.ShouldBe("blue");
        results.Events.ShouldBe(["purchase", "signup"]);
        var blue = results.Variants.Single(v => v.Variant == "blue");
        var green = results.Variants.Single(v => v.Variant == "green");
        var earlyBird = (await Evaluate(http, "early-bird"))["variant"]!.GetValue<string>();
        blue.Exposed.ShouldBe(shown.Count(s => s.Value == "blue") + (earlyBird == "blue" ? 1 : 0), "each user once, however often evaluated");
        green.Converted.ShouldBe(shown.Count(s => s.Value == "green" && int.Parse(s.Key["user-".Length..], System.Globalization.CultureInfo.InvariantCulture) % 3 == 0));
        blue.Converted.ShouldBe(shown.Count(s => s.Value == "blue" && int.Parse(s.Key["user-".Length..], System.Globalization.CultureInfo.InvariantCulture) % 6 == 0),
            "the early bird converted before its exposure");
        green.Difference!.Value.ShouldBe(green.Rate!.Value - blue.Rate!.Value, 1e-12);
        green.Low!.Value.ShouldBeLessThan(green.Difference.Value);
        green.PValue.ShouldNotBeNull();
        results.SampleRatioPValue!.Value.ShouldBeGreaterThan(0.001, "a 50/50 hash split of 401 users is no mismatch");

        var cli = await OnwardCli.RunAsync(null, "flags", "results", "checkout-button", "--env", "dev", "--server", onward.Config.Server.Listen.ToString());
        cli.ExitCode.ShouldBe(0, cli.Error);
        cli.Output.ShouldContain("blue (control)");
        cli.Output.ShouldContain("conversion event \"purchase\"");

        (await http.GetAsync("api/v1/environments/dev/flags/static/results")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PostAsync("flags/dev/events", new StringContent("""{"event": "purchase"}""", Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PostAsync("flags/dev/events", new StringContent("not json", Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using (var huge = new HttpRequestMessage(HttpMethod.Post, "flags/dev/events")
        {
            Content = new StringContent("{\"targetingKey\":\"u\",\"event\":\"" + new string('e', 5000) + "\"}", Encoding.UTF8, "application/json"),
        })
        {
            huge.Headers.ExpectContinue = true;
            (await http.SendAsync(huge)).StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        }
        (await http.PostAsync("flags/nowhere/events", new StringContent("""{"targetingKey":"u","event":"purchase"}""", Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private static StringContent Context(string user) =>
        new(new JsonObject { ["context"] = new JsonObject { ["targetingKey"] = user } }.ToJsonString(), Encoding.UTF8, "application/json");

    private static async Task<JsonNode> Evaluate(HttpClient http, string user)
    {
        using var response = await http.PostAsync("flags/dev/ofrep/v1/evaluate/flags/checkout-button", Context(user));
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static async Task<HttpStatusCode> Track(HttpClient http, string user, string name, double? value = null)
    {
        var body = new JsonObject { ["targetingKey"] = user, ["event"] = name };
        if (value is { } v)
        {
            body["value"] = v;
        }
        using var response = await http.PostAsync("flags/dev/events", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        return response.StatusCode;
    }
}
