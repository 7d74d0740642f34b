using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Onward.Contracts.Flags;
using Onward.Testing;

namespace Onward.Server.Tests.Flags;

/// <summary>
/// Issue 13: an environment's own flag set, switches with their history, and OFREP evaluation, through the API, a
/// real OpenFeature client (@openfeature/server-sdk over OFREP, run by node) and the CLI.
/// </summary>
public class FlagsApiTests
{
    private const string Document = """
        {
          "$schema": "https://flagd.dev/schema/v0/flags.json",
          "metadata": { "flagSetId": "shop", "team": "checkout" },
          "$evaluators": { "is-staff": { "ends_with": [{ "var": "email" }, "@acme.com"] } },
          "flags": {
            "new-checkout": {
              "state": "ENABLED",
              "variants": { "on": true, "off": false },
              "defaultVariant": "off",
              "targeting": { "if": [{ "$ref": "is-staff" }, "on", { "fractional": [{ "cat": [{ "var": "$flagd.flagKey" }, { "var": "targetingKey" }] }, ["on", 10], ["off", 90]] }] },
              "metadata": { "owner": "payments" }
            },
            "banner": { "state": "ENABLED", "variants": { "winter": "Winter sale", "none": "" }, "defaultVariant": "winter" },
            "page-size": { "state": "ENABLED", "variants": { "small": 20, "large": 100 }, "defaultVariant": "small" },
            "theme": { "state": "ENABLED", "variants": { "light": { "bg": "#fff" }, "dark": { "bg": "#000" } }, "defaultVariant": "dark" },
            "legacy-search": { "state": "DISABLED", "variants": { "on": true, "off": false }, "defaultVariant": "on" },
            "code-default": { "state": "ENABLED", "variants": { "a": "A", "b": "B" } }
          }
        }
        """;

    private static async Task<OnwardHost> StartAsync(TempDirectory dir, string extra = "") =>
        await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev"), TestConfig.ManualEnvironment("prod")], [], extra));

    private static Task<HttpResponseMessage> PutAsync(HttpClient http, string environment, string document) =>
        http.PutAsync($"api/v1/environments/{environment}/flags", new StringContent(document, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task An_environment_flag_set_is_served_over_ofrep_and_a_real_openfeature_client_reads_every_type()
    {
        await using var dir = new TempDirectory();
        await using var onward = await StartAsync(dir);
        var http = onward.Api.Http;

        using var put = await PutAsync(http, "dev", Document);
        put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        (await put.Content.ReadFromJsonAsync<FlagSetReplacedResponse>())!.Flags.ShouldBe(6);
        var listed = (await http.GetFromJsonAsync<EnvironmentFlagsResponse>("api/v1/environments/dev/flags"))!;
        listed.Flags.Select(f => f.Key).ShouldBe(["banner", "code-default", "legacy-search", "new-checkout", "page-size", "theme"]);
        var checkout = listed.Flags.Single(f => f.Key == "new-checkout");
        checkout.Source.Kind.ShouldBe("environment");
        checkout.Source.Actor.ShouldBe("anonymous");
        checkout.Targeting!.ToJsonString().ShouldContain("ends_with", customMessage: "$ref is shown substituted");
        checkout.Metadata!["team"]!.GetValue<string>().ShouldBe("checkout", "flag-set metadata under the flag's");
        (await http.GetFromJsonAsync<EnvironmentFlagsResponse>("api/v1/environments/prod/flags"))!.Flags.ShouldBeEmpty("each environment has its own flags");

        var single = await OfrepAsync(http, "dev", "new-checkout", """{"context":{"targetingKey":"u1","email":"ann@acme.com"}}""");
        single.Status.ShouldBe(HttpStatusCode.OK);
        single.Body["value"]!.GetValue<bool>().ShouldBeTrue();
        single.Body["reason"]!.GetValue<string>().ShouldBe("TARGETING_MATCH");
        single.Body["metadata"]!["owner"]!.GetValue<string>().ShouldBe("payments");
        var disabled = await OfrepAsync(http, "dev", "legacy-search", """{"context":{}}""");
        disabled.Body.ToJsonString().ShouldBe("""{"key":"legacy-search","reason":"DISABLED","metadata":{"flagSetId":"shop","team":"checkout"}}""");
        var missing = await OfrepAsync(http, "dev", "nope", """{"context":{}}""");
        missing.Status.ShouldBe(HttpStatusCode.NotFound);
        missing.Body["errorCode"]!.GetValue<string>().ShouldBe("FLAG_NOT_FOUND");

        var results = await OpenFeatureClientAsync(onward, "dev", [
            ("boolean", "new-checkout", false, new JsonObject { ["targetingKey"] = "u1", ["email"] = "ann@acme.com" }),
            ("string", "banner", "fallback", null),
            ("number", "page-size", 1, null),
            ("object", "theme", new JsonObject(), null),
            ("boolean", "legacy-search", false, null),
            ("string", "code-default", "mine", null),
            ("string", "nope", "fallback", null),
            ("number", "banner", 7, null),
        ]);
        results[0].ToJsonString().ShouldBe("""{"value":true,"variant":"on","reason":"TARGETING_MATCH","errorCode":null}""");
        results[1].ToJsonString().ShouldBe("""{"value":"Winter sale","variant":"winter","reason":"STATIC","errorCode":null}""");
        results[2].ToJsonString().ShouldBe("""{"value":20,"variant":"small","reason":"STATIC","errorCode":null}""");
        results[3].ToJsonString().ShouldBe("""{"value":{"bg":"#000"},"variant":"dark","reason":"STATIC","errorCode":null}""");
        results[4].ToJsonString().ShouldBe("""{"value":false,"variant":null,"reason":"DISABLED","errorCode":null}""");
        results[5].ToJsonString().ShouldBe("""{"value":"mine","variant":null,"reason":"DEFAULT","errorCode":null}""");
        results[6]["errorCode"]!.GetValue<string>().ShouldBe("FLAG_NOT_FOUND");
        results[6]["value"]!.GetValue<string>().ShouldBe("fallback");
        results[7]["errorCode"]!.GetValue<string>().ShouldBe("TYPE_MISMATCH");
    }

    [Fact]
    public async Task Bulk_evaluation_answers_304_for_the_same_answer_and_a_new_etag_when_the_answer_changes()
    {
        await using var dir = new TempDirectory();
        await using var onward = await StartAsync(dir);
        var http = onward.Api.Http;
        (await PutAsync(http, "dev", Document)).EnsureSuccessStatusCode();

        var (first, etag) = await BulkAsync(http, "dev", """{"context":{"targetingKey":"u1","email":"bob@example.com"}}""", null);
        first.ShouldBe(HttpStatusCode.OK);
        var (again, _) = await BulkAsync(http, "dev", """{"context":{"targetingKey":"u1","email":"bob@example.com"}}""", etag);
        again.ShouldBe(HttpStatusCode.NotModified);
        var (otherContext, otherEtag) = await BulkAsync(http, "dev", """{"context":{"targetingKey":"u1","email":"ann@acme.com"}}""", etag);
        otherContext.ShouldBe(HttpStatusCode.OK, "same targeting key, another answer: the ETag covers the answer, not only the configuration");
        otherEtag.ShouldNotBe(etag);

        using var patch = await http.PatchAsJsonAsync("api/v1/environments/dev/flags/banner", new FlagSwitchRequest(null, "none", null, "sale is over"));
        patch.EnsureSuccessStatusCode();
        var (afterSwitch, _) = await BulkAsync(http, "dev", """{"context":{"targetingKey":"u1","email":"bob@example.com"}}""", etag);
        afterSwitch.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_kill_switch_disables_a_flag_with_its_history_and_audit_and_removing_it_brings_the_definition_back()
    {
        await using var dir = new TempDirectory();
        await using var onward = await StartAsync(dir);
        var http = onward.Api.Http;
        (await PutAsync(http, "dev", Document)).EnsureSuccessStatusCode();
        var server = onward.Config.Server.Listen.ToString();

        var cli = await OnwardCli.RunAsync(null, "flags", "set", "new-checkout", "--env", "dev", "--state", "DISABLED", "--comment", "payments outage", "--server", server);
        cli.ExitCode.ShouldBe(0, cli.Output);
        (await OfrepAsync(http, "dev", "new-checkout", """{"context":{"targetingKey":"u1","email":"ann@acme.com"}}""")).Body["reason"]!.GetValue<string>().ShouldBe("DISABLED");
        var flag = (await http.GetFromJsonAsync<EnvironmentFlagsResponse>("api/v1/environments/dev/flags"))!.Flags.Single(f => f.Key == "new-checkout");
        flag.State.ShouldBe("DISABLED");
        flag.Switch!.State.ShouldBe("DISABLED");
        flag.Switch.Comment.ShouldBe("payments outage");

        var history = (await http.GetFromJsonAsync<FlagChangeResponse[]>("api/v1/environments/dev/flags/new-checkout/history"))!;
        history[0].Source.ShouldBe("switch");
        history[0].Comment.ShouldBe("payments outage");
        history[0].Changes.ShouldBe([new FlagFieldChangeResponse("state", "\"ENABLED\"", "\"DISABLED\"")]);
        history[1].Source.ShouldBe("environment");
        history[1].Changes.Select(c => c.Field).ShouldContain("state");
        var shown = await OnwardCli.RunAsync(null, "flags", "history", "new-checkout", "--env", "dev", "--server", server);
        shown.Output.ShouldContain("payments outage");
        shown.Output.ShouldContain("state: \"ENABLED\" → \"DISABLED\"");
        var audit = await OnwardCli.RunAsync(null, "audit", "list", "--env", "dev", "--server", server);
        audit.Output.ShouldContain("flag new-checkout changed (state): payments outage");

        using var removed = await http.DeleteAsync("api/v1/environments/dev/flags/new-checkout/override?comment=outage%20over");
        removed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await OfrepAsync(http, "dev", "new-checkout", """{"context":{"targetingKey":"u1","email":"ann@acme.com"}}""")).Body["value"]!.GetValue<bool>().ShouldBeTrue();
        (await http.DeleteAsync("api/v1/environments/dev/flags/new-checkout/override")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // A switch outlives a new version of the environment's set.
        (await http.PatchAsJsonAsync("api/v1/environments/dev/flags/page-size", new FlagSwitchRequest(null, "large", null, "more per page"))).EnsureSuccessStatusCode();
        (await PutAsync(http, "dev", Document.Replace("\"small\": 20", "\"small\": 25", StringComparison.Ordinal))).EnsureSuccessStatusCode();
        (await OfrepAsync(http, "dev", "page-size", "{}")).Body["value"]!.GetValue<int>().ShouldBe(100);
    }

    [Fact]
    public async Task Bad_flag_documents_switches_and_requests_get_a_clear_error_and_change_nothing()
    {
        await using var dir = new TempDirectory();
        await using var onward = await StartAsync(dir);
        var http = onward.Api.Http;
        (await PutAsync(http, "dev", Document)).EnsureSuccessStatusCode();

        using var invalid = await PutAsync(http, "dev", """
            {"flags": {
              "mixed": {"state": "ENABLED", "variants": {"a": true, "b": "yes"}, "defaultVariant": "a"},
              "dangling": {"state": "ENABLED", "variants": {"a": 1}, "defaultVariant": "z"},
              "ref": {"state": "ENABLED", "variants": {"a": 1}, "targeting": {"if": [{"$ref": "nowhere"}, "a", null]}},
              "op": {"state": "ENABLED", "variants": {"a": 1}, "targeting": {"regex": [{"var": "x"}, "a.*"]}},
              "state": {"state": "ON", "variants": {"a": 1}}
            }}
            """);
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = JsonNode.Parse(await invalid.Content.ReadAsStringAsync())!;
        var paths = problem["problems"]!.AsArray().Select(p => p!["path"]!.GetValue<string>()).ToList();
        paths.ShouldBe(["$.flags.mixed.variants.b", "$.flags.dangling.defaultVariant", "$.flags.ref.targeting.if[0].$ref", "$.flags.op.targeting.regex", "$.flags.state.state"], ignoreOrder: true);
        problem["detail"]!.GetValue<string>().ShouldStartWith("the flag document has 5 problems; nothing was changed");
        (await http.GetFromJsonAsync<EnvironmentFlagsResponse>("api/v1/environments/dev/flags"))!.Flags.Count.ShouldBe(6, "a document that fails never replaces a working set");

        (await PutAsync(http, "dev", "not json")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PutAsync("api/v1/environments/dev/flags", new StringContent(Document, Encoding.UTF8, "text/plain"))).StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        // Expect: 100-continue, as a real client sending a large body does: the server refuses before the body is sent.
        using (var huge = new HttpRequestMessage(HttpMethod.Put, "api/v1/environments/dev/flags")
        {
            Content = new StringContent("{\"flags\":{\"x\":{\"state\":\"ENABLED\",\"variants\":{\"a\":\"" + new string('a', 1_100_000) + "\"}}}}", Encoding.UTF8, "application/json"),
        })
        {
            huge.Headers.ExpectContinue = true;
            (await http.SendAsync(huge)).StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        }
        (await PutAsync(http, "nowhere", Document)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        (await http.PatchAsJsonAsync("api/v1/environments/dev/flags/banner", new FlagSwitchRequest("DISABLED", null, null, null))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PatchAsJsonAsync("api/v1/environments/dev/flags/banner", new FlagSwitchRequest(null, "summer", null, "typo"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PatchAsJsonAsync("api/v1/environments/dev/flags/banner", new FlagSwitchRequest("OFF", null, null, "typo"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PatchAsJsonAsync("api/v1/environments/dev/flags/nope", new FlagSwitchRequest("DISABLED", null, null, "no such flag"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetFromJsonAsync<FlagChangeResponse[]>("api/v1/environments/dev/flags/banner/history"))!.Length.ShouldBe(1, "only the set's own change");

        (await OfrepAsync(http, "dev", "banner", "not json")).Status.ShouldBe(HttpStatusCode.BadRequest);
        var notObject = await OfrepAsync(http, "dev", "banner", """{"context":[1,2]}""");
        notObject.Status.ShouldBe(HttpStatusCode.BadRequest);
        notObject.Body["errorCode"]!.GetValue<string>().ShouldBe("INVALID_CONTEXT");
        using (var hugeContext = new HttpRequestMessage(HttpMethod.Post, "flags/dev/ofrep/v1/evaluate/flags/banner")
        {
            Content = new StringContent("{\"context\":{\"x\":\"" + new string('x', 70_000) + "\"}}", Encoding.UTF8, "application/json"),
        })
        {
            hugeContext.Headers.ExpectContinue = true;
            (await http.SendAsync(hugeContext)).StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        }
        (await OfrepAsync(http, "nowhere", "banner", "{}")).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    /// <summary>Issue 22.4: a rule that would cost a hundred million operations an evaluation is refused when stored, and an evaluation is bounded.</summary>
    [Fact]
    public async Task Costly_targeting_is_refused_naming_the_limit_and_an_evaluation_stops_at_its_budget()
    {
        await using var dir = new TempDirectory();
        await using var onward = await StartAsync(dir);
        var http = onward.Api.Http;
        var zeros = "[" + string.Join(",", Enumerable.Repeat(0, 100)) + "]";
        var nested = """{"+":[{"var":"accumulator"},1]}""";
        for (var i = 0; i < 4; i++)
        {
            nested = "{\"reduce\":[" + zeros + "," + nested + ",0]}";
        }
        static string Flag(string key, string targeting) =>
            "{\"flags\":{\"" + key + "\":{\"state\":\"ENABLED\",\"variants\":{\"on\":true,\"off\":false},\"defaultVariant\":\"off\",\"targeting\":" + targeting + "}}}";

        using var refused = await PutAsync(http, "dev", Flag("slow", "{\"if\":[{\">\":[" + nested + ",0]},\"on\",\"off\"]}"));

        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        problem["problems"]![0]!["message"]!.GetValue<string>().ShouldContain("at most 1,000,000 (limit: targeting cost)");
        (await http.GetFromJsonAsync<EnvironmentFlagsResponse>("api/v1/environments/dev/flags"))!.Flags.ShouldBeEmpty();

        // Cheap to look at, but each step doubles a list: the evaluation stops at its budget and says so.
        var doubling = "{\"reduce\":[[" + string.Join(",", Enumerable.Repeat(0, 40)) + "],{\"merge\":[{\"var\":\"accumulator\"},{\"var\":\"accumulator\"}]},[1]]}";
        (await PutAsync(http, "dev", Flag("grows", "{\"if\":[{\"<\":[{\"var\":\"x\"}," + doubling + "]},\"on\",\"off\"]}"))).EnsureSuccessStatusCode();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (status, body) = await OfrepAsync(http, "dev", "grows", """{"context":{"targetingKey":"u1"}}""");
        status.ShouldBe(HttpStatusCode.BadRequest);
        body["errorCode"]!.GetValue<string>().ShouldBe("GENERAL");
        body["errorDetails"]!.GetValue<string>().ShouldContain("(limit: operations per evaluation)");
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));

        var patched = await http.PatchAsJsonAsync("api/v1/environments/dev/flags/grows",
            new FlagSwitchRequest(null, null, JsonNode.Parse("{\"if\":[{\">\":[" + nested + ",0]},\"on\",\"off\"]}")!.AsObject(), "too costly"));
        patched.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await patched.Content.ReadAsStringAsync()).ShouldContain("(limit: targeting cost)");
    }

    [Fact]
    public async Task With_tokens_ofrep_takes_a_bearer_token_or_an_api_key_and_refuses_requests_without_one()
    {
        await using var dir = new TempDirectory();
        var (started, admin) = await StartWithTokensAsync(dir);
        await using var onward = started;
        using var authorized = Bearer(onward, admin);

        using var anonymous = new HttpClient { BaseAddress = onward.Api.Http.BaseAddress };
        (await OfrepAsync(anonymous, "dev", "banner", "{}")).Status.ShouldBe(HttpStatusCode.Unauthorized);
        using var keyed = new HttpClient { BaseAddress = onward.Api.Http.BaseAddress };
        keyed.DefaultRequestHeaders.Add("X-API-Key", admin);
        (await OfrepAsync(keyed, "dev", "banner", "{}")).Status.ShouldBe(HttpStatusCode.OK);
        (await OfrepAsync(authorized, "dev", "banner", "{}")).Status.ShouldBe(HttpStatusCode.OK);
        keyed.DefaultRequestHeaders.Remove("X-API-Key");
        keyed.DefaultRequestHeaders.Add("X-API-Key", "onw_not-a-token");
        (await OfrepAsync(keyed, "dev", "banner", "{}")).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.PutAsync("api/v1/environments/dev/flags", new StringContent(Document, Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        // An SDK key evaluates one environment's flags and can do nothing else.
        var server = onward.Config.Server.Listen.ToString();
        var key = await SdkKeyAsync(onward, admin, "web", "dev");
        using var web = new HttpClient { BaseAddress = onward.Api.Http.BaseAddress };
        web.DefaultRequestHeaders.Add("X-API-Key", key);
        (await OfrepAsync(web, "dev", "banner", "{}")).Status.ShouldBe(HttpStatusCode.OK);
        var other = await OfrepAsync(web, "prod", "banner", "{}");
        other.Status.ShouldBe(HttpStatusCode.Forbidden);
        other.Body["errorDetails"]!.GetValue<string>().ShouldStartWith("this SDK key evaluates the flags of dev only");
        web.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        (await web.GetAsync("api/v1/environments/dev/flags")).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "an SDK key reads no API");
        var noEnvironment = await OnwardCli.RunAsync(null, "tokens", "create", "--name", "web2", "--role", "sdk", "--server", server, "--token", admin);
        noEnvironment.ExitCode.ShouldBe(1);
        noEnvironment.Error.ShouldContain("an sdk token evaluates one environment's flags");
        var unknown = await OnwardCli.RunAsync(null, "tokens", "create", "--name", "web3", "--role", "sdk", "--env", "staging", "--server", server, "--token", admin);
        unknown.Error.ShouldContain("unknown environment 'staging'");
    }

    /// <summary>Every spelling the router takes is authenticated alike, and a key that is not one is refused whatever the auth mode.</summary>
    [Fact]
    public async Task Keys_are_read_on_every_spelling_of_an_ofrep_route_and_an_unknown_key_is_refused_even_without_tokens()
    {
        await using var dir = new TempDirectory();
        var (started, admin) = await StartWithTokensAsync(dir);
        await using (var onward = started)
        {
            using var keyed = new HttpClient { BaseAddress = onward.Api.Http.BaseAddress };
            keyed.DefaultRequestHeaders.Add("X-API-Key", admin);
            foreach (var path in new[] { "FLAGS/dev/ofrep/v1/evaluate/flags/banner", "flags/dev/OFREP/v1/Evaluate/flags/banner", "flags/dev/ofrep/v1/evaluate/flags/banner/" })
            {
                using var evaluated = await keyed.PostAsync(path, new StringContent("{}", Encoding.UTF8, "application/json"));
                evaluated.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            }
            foreach (var path in new[] { "flags/dev/events/", "flags/dev/Events" })
            {
                using var tracked = await keyed.PostAsync(path, new StringContent("""{"targetingKey":"u1","event":"bought"}""", Encoding.UTF8, "application/json"));
                tracked.StatusCode.ShouldBe(HttpStatusCode.Accepted, path);
            }
        }

        await using var open = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev")], []));
        using var stale = new HttpClient { BaseAddress = open.Api.Http.BaseAddress };
        (await OfrepAsync(stale, "dev", "banner", "{}")).Status.ShouldBe(HttpStatusCode.OK, "no token is needed with auth.mode: none");
        stale.DefaultRequestHeaders.Add("X-API-Key", "onw_not-a-token");
        var refused = await OfrepAsync(stale, "dev", "banner", "{}");
        refused.Status.ShouldBe(HttpStatusCode.Unauthorized, "an unknown key is refused rather than ignored, as the API does");
        refused.Body["errorDetails"]!.GetValue<string>().ShouldBe("the token is unknown or revoked");
    }

    [Fact]
    public async Task Browsers_from_the_environments_listed_origins_may_call_ofrep_and_others_get_no_cors_headers()
    {
        await using var dir = new TempDirectory();
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            ["dev: { target: { local: {} }, flags: { cors: [\"https://shop.example\"] } }", TestConfig.ManualEnvironment("prod")], []));
        var http = onward.Api.Http;
        (await PutAsync(http, "dev", Document)).EnsureSuccessStatusCode();

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "flags/dev/ofrep/v1/evaluate/flags");
        preflight.Headers.Add("Origin", "https://shop.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using var allowed = await http.SendAsync(preflight);
        allowed.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        allowed.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe(["https://shop.example"]);
        allowed.Headers.GetValues("Access-Control-Allow-Headers").Single().ShouldContain("If-None-Match");

        using var bulk = new HttpRequestMessage(HttpMethod.Post, "flags/dev/ofrep/v1/evaluate/flags") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        bulk.Headers.Add("Origin", "https://shop.example");
        using var answered = await http.SendAsync(bulk);
        answered.Headers.GetValues("Access-Control-Expose-Headers").ShouldBe(["ETag"]);

        using var elsewhere = new HttpRequestMessage(HttpMethod.Options, "flags/prod/ofrep/v1/evaluate/flags");
        elsewhere.Headers.Add("Origin", "https://shop.example");
        using var refused = await http.SendAsync(elsewhere);
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden, "prod lists no origins");
        refused.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();

        // Issue 22.9: a browser asks before it sends a conversion as JSON, as before an evaluation.
        using var conversion = new HttpRequestMessage(HttpMethod.Options, "flags/dev/events");
        conversion.Headers.Add("Origin", "https://shop.example");
        conversion.Headers.Add("Access-Control-Request-Method", "POST");
        conversion.Headers.Add("Access-Control-Request-Headers", "content-type");
        using var mayConvert = await http.SendAsync(conversion);
        mayConvert.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        mayConvert.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe(["https://shop.example"]);
        mayConvert.Headers.GetValues("Access-Control-Allow-Methods").Single().ShouldContain("POST");
        using var otherSite = new HttpRequestMessage(HttpMethod.Options, "flags/dev/events");
        otherSite.Headers.Add("Origin", "https://evil.example");
        (await http.SendAsync(otherSite)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    /// <summary>A server on token authentication whose dev has <see cref="Document"/>, put by an admin; with the admin's token.</summary>
    private static async Task<(OnwardHost Onward, string Admin)> StartWithTokensAsync(TempDirectory dir)
    {
        var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev"), TestConfig.ManualEnvironment("prod")], [], "auth: { mode: tokens }"));
        var bootstrap = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json");
        bootstrap.ExitCode.ShouldBe(0, bootstrap.Error);
        var admin = JsonNode.Parse(bootstrap.Output)!["token"]!.GetValue<string>();
        using var authorized = Bearer(onward, admin);
        (await PutAsync(authorized, "dev", Document)).EnsureSuccessStatusCode();
        return (onward, admin);
    }

    private static HttpClient Bearer(OnwardHost onward, string token)
    {
        var http = new HttpClient { BaseAddress = onward.Api.Http.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>An SDK key for one environment, made with the real CLI.</summary>
    private static async Task<string> SdkKeyAsync(OnwardHost onward, string admin, string name, string environment)
    {
        var sdk = await OnwardCli.RunAsync(null, "tokens", "create", "--name", name, "--role", "sdk", "--env", environment, "--json",
            "--server", onward.Config.Server.Listen.ToString(), "--token", admin);
        sdk.ExitCode.ShouldBe(0, sdk.Output + sdk.Error);
        return JsonNode.Parse(sdk.Output)!["token"]!.GetValue<string>();
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body)> OfrepAsync(HttpClient http, string environment, string key, string body)
    {
        using var response = await http.PostAsync($"flags/{environment}/ofrep/v1/evaluate/flags/{key}", new StringContent(body, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task A_flagd_selector_keeps_one_flag_set_and_a_flag_outside_it_is_not_found()
    {
        await using var dir = new TempDirectory();
        await using var onward = await StartAsync(dir);
        var http = onward.Api.Http;
        (await PutAsync(http, "dev", """
            { "flags": {
                "plain": { "state": "ENABLED", "variants": { "on": true, "off": false }, "defaultVariant": "on" },
                "ranking": { "state": "ENABLED", "variants": { "v1": "v1", "v2": "v2" }, "defaultVariant": "v2", "metadata": { "flagSetId": "search" } } } }
            """)).EnsureSuccessStatusCode();

        async Task<(HttpStatusCode Status, JsonNode Body)> SelectAsync(string path, string? selector, string body = """{"context":{"targetingKey":"u1"}}""")
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"flags/dev/ofrep/v1/evaluate/{path}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (selector is not null)
            {
                request.Headers.TryAddWithoutValidation("Flagd-Selector", selector);
            }
            using var response = await http.SendAsync(request);
            return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
        }
        static List<string> Keys(JsonNode bulk) => bulk["flags"]!.AsArray().Select(f => f!["key"]!.GetValue<string>()).ToList();

        Keys((await SelectAsync("flags", null)).Body).ShouldBe(["plain", "ranking"]);
        Keys((await SelectAsync("flags", "flagSetId=search")).Body).ShouldBe(["ranking"]);
        Keys((await SelectAsync("flags", "flagSetId=")).Body).ShouldBe(["plain"], "flags in no set");
        Keys((await SelectAsync("flags", null, """{"context":{"targetingKey":"u1"},"selector":"flagSetId=search"}""")).Body).ShouldBe(["ranking"], "a selector in the body");
        Keys((await SelectAsync("flags", "flagSetId=", """{"context":{"targetingKey":"u1"},"selector":"flagSetId=search"}""")).Body).ShouldBe(["plain"], "the header wins");
        (await SelectAsync("flags/ranking", "flagSetId=search")).Body["value"]!.GetValue<string>().ShouldBe("v2");
        var outside = await SelectAsync("flags/plain", "flagSetId=search");
        outside.Status.ShouldBe(HttpStatusCode.NotFound);
        outside.Body["errorCode"]!.GetValue<string>().ShouldBe("FLAG_NOT_FOUND");
        var source = await SelectAsync("flags", "source=/etc/flagd/flags.json");
        source.Status.ShouldBe(HttpStatusCode.BadRequest);
        (source.Body["errorCode"]!.GetValue<string>(), source.Body["errorDetails"]!.GetValue<string>()).ShouldBe(("GENERAL",
            "invalid selector 'source=/etc/flagd/flags.json': Onward selects by flag set only, e.g. `flagSetId=checkout` (a flag's set is the flagSetId in its document's metadata); its flags come from releases and the environment, not from flagd sources"));
        (await SelectAsync("flags/plain", "team=checkout")).Body["errorDetails"]!.GetValue<string>().ShouldBe("invalid selector 'team=checkout': unknown key 'team'; write `flagSetId=ID`");
    }

    [Fact]
    public async Task A_bulk_answer_names_a_change_stream_that_tells_each_flag_change_at_once_and_refuses_a_ticket_that_does_not_fit()
    {
        await using var dir = new TempDirectory();
        var (started, admin) = await StartWithTokensAsync(dir);
        await using var onward = started;
        using var authorized = Bearer(onward, admin);
        var server = onward.Config.Server.Listen.ToString();
        var key = await SdkKeyAsync(onward, admin, "web", "dev");
        using var web = new HttpClient { BaseAddress = onward.Api.Http.BaseAddress };
        web.DefaultRequestHeaders.Add("X-API-Key", key);

        using var bulk = await web.PostAsync("flags/dev/ofrep/v1/evaluate/flags", new StringContent("""{"context":{"targetingKey":"u1"}}""", Encoding.UTF8, "application/json"));
        bulk.StatusCode.ShouldBe(HttpStatusCode.OK);
        var stream = (await bulk.Content.ReadFromJsonAsync<JsonObject>())!["eventStreams"]!.AsArray().ShouldHaveSingleItem()!.AsObject();
        stream["type"]!.GetValue<string>().ShouldBe("sse");
        stream["inactivityDelaySec"]!.GetValue<int>().ShouldBe(120);
        var url = stream["url"]!.GetValue<string>();
        url.ShouldStartWith(new Uri(onward.Api.Http.BaseAddress!, "flags/dev/ofrep/v1/events?ticket=").ToString());
        url.ShouldNotContain(key);
        var (again, _) = await BulkAsync(web, "dev", """{"context":{"targetingKey":"u1"}}""", bulk.Headers.ETag!.Tag);
        again.ShouldBe(HttpStatusCode.NotModified, "the stream's URL is not part of the ETag");

        using var anyone = new HttpClient();
        var ticket = url[(url.IndexOf("ticket=", StringComparison.Ordinal) + "ticket=".Length)..];
        (await anyone.GetAsync(url.Split('?')[0])).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "no ticket");
        (await anyone.GetAsync(url[..^3] + (url[^3..] == "AAA" ? "BBB" : "AAA"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "a ticket altered");
        (await anyone.GetAsync(url.Replace("/flags/dev/", "/flags/prod/", StringComparison.Ordinal))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "dev's ticket on prod");
        (await anyone.GetAsync(new Uri(onward.Api.Http.BaseAddress!, "flags/staging/ofrep/v1/events?ticket=" + ticket))).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        using var open = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var response = await anyone.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, open.Token);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(open.Token));
        (await reader.ReadLineAsync(open.Token)).ShouldBe(": the flags of dev", "the stream is open before anything changes");
        using (var patch = await authorized.PatchAsJsonAsync("api/v1/environments/dev/flags/banner", new FlagSwitchRequest(null, "none", null, "sale is over")))
        {
            patch.EnsureSuccessStatusCode();
        }
        string? line;
        while ((line = await reader.ReadLineAsync(open.Token)) is not null && !line.StartsWith("data: ", StringComparison.Ordinal))
        {
        }
        var told = JsonNode.Parse(line!["data: ".Length..])!.AsObject();
        told["type"]!.GetValue<string>().ShouldBe("refetchEvaluation");
        told["lastModified"]!.GetValue<long>().ShouldBeGreaterThan(0);

        var revoked = await OnwardCli.RunAsync(null, "tokens", "revoke", "--name", "web", "--server", server, "--token", admin);
        revoked.ExitCode.ShouldBe(0, revoked.Error);
        (await anyone.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "a ticket ends with its token");
    }

    private static async Task<(HttpStatusCode Status, string? ETag)> BulkAsync(HttpClient http, string environment, string body, string? ifNoneMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"flags/{environment}/ofrep/v1/evaluate/flags") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }
        using var response = await http.SendAsync(request);
        return (response.StatusCode, response.Headers.ETag?.Tag);
    }

    private static async Task<List<JsonNode>> OpenFeatureClientAsync(OnwardHost onward, string environment, (string Type, string Key, JsonNode Default, JsonObject? Context)[] calls)
    {
        var input = new JsonObject
        {
            ["baseUrl"] = $"{onward.Config.Server.Listen.ToString().TrimEnd('/')}/flags/{environment}",
            ["headers"] = new JsonArray(),
            ["calls"] = new JsonArray(calls.Select(c => (JsonNode)new JsonObject { ["type"] = c.Type, ["key"] = c.Key, ["default"] = c.Default.DeepClone(), ["context"] = c.Context ?? new JsonObject() }).ToArray()),
        };
        return (await NodeScript.RunAsync("ofrep-client.cjs", input)).AsArray().Select(n => n!).ToList();
    }
}
