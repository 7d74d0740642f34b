using System.Net;
using System.Text;
using System.Text.Json;
using Onward.Server.Tests.Production;
using Onward.Testing;

namespace Onward.Server.Tests.Api;

/// <summary>
/// Issue 10, "done means": a few hundred malformed requests to every route, as three kinds of caller. Each must be
/// answered 4xx with a problem that says what is wrong, the server must stay healthy, and nothing may be written.
/// </summary>
public class MalformedRequestTests
{
    private static readonly string Huge = new('x', 100_000);
    private static readonly string Long = new('y', 3_000);

    private static readonly string[] Bodies =
    [
        "",
        "null",
        "[]",
        "[null]",
        "5",
        "\"text\"",
        "{",
        "{\"a\":",
        "{}",
        "{\"service\":5,\"environment\":[],\"version\":{},\"comment\":7,\"name\":false,\"role\":1.5,\"groups\":\"g\"}",
        "{\"service\":null,\"environment\":null,\"commit\":\"--upload-pack=x\",\"image\":null}",
        "{\"name\":\"x\",\"role\":\"admin\",\"groups\":[null]}",
        "{\"name\":\"x\",\"role\":\"admin\",\"groups\":[1,2]}",
        "{\"name\":\"\\u0000\",\"role\":\"admin\"}",
        $"{{\"service\":\"shop\",\"environment\":\"prod\",\"version\":\"nope\",\"reason\":\"{Long}\"}}",
        $"{{\"service\":\"{Huge}\",\"environment\":\"prod\",\"version\":\"v\"}}",
        $"{{\"comment\":\"{Long}\"}}",
        $"{{\"until\":\"12h\",\"reason\":\"{Long}\"}}",
        "{\"until\":\"yesterday\",\"reason\":\"r\"}",
        "{\"service\":\"shop\",\"environment\":\"prod\",\"commit\":\"HEAD~1\"}",
        "{\"service\":\"shop\",\"commit\":\"0123\",\"image\":\"x\"}",
        "{\"service\":\"shop\",\"environment\":\"prod\",\"version\":\"v\",\"commit\":\"c\"}",
        "{\"name\":\"UPPER case\",\"role\":\"admin\"}",
        "{\"name\":\"ok-name\",\"role\":\"superuser\"}",
        "{\"name\":\"ok-name\",\"role\":\"viewer\",\"expires\":\"forever\"}",
        "{\"service\":\"shop\",\"environment\":\"prod\",\"version\":\"v\",\"override\":\"\\ud800\"}",
        "\u00ff\u00fe garbage",
    ];

    private static readonly string[] Targets =
    [
        "POST api/v1/deployments",
        "POST api/v1/deployments/1/approve",
        "POST api/v1/deployments/1/reject",
        "POST api/v1/deployments/1/cancel",
        "POST api/v1/deployments/999999/approve",
        "POST api/v1/releases",
        "POST api/v1/tokens",
        "POST api/v1/environments/prod/freeze",
        "POST api/v1/environments/nowhere/freeze",
        "DELETE api/v1/environments/nowhere/freeze",
        "DELETE api/v1/tokens?name=%00nobody",
        "DELETE api/v1/tokens/999999",
        "PUT api/v1/deployments",
        "PATCH api/v1/services/shop",
        "POST api/v1/services",
        "POST hooks/github",
        "POST hooks/gitlab",
        "POST hooks/nowhere",
    ];

    private static readonly string[] Gets =
    [
        "api/v1/deployments?limit=abc",
        "api/v1/deployments?limit=99999999999",
        "api/v1/deployments?state=1",
        "api/v1/deployments?state=Weird",
        "api/v1/deployments?before=x",
        "api/v1/deployments/abc",
        "api/v1/deployments/-1",
        "api/v1/deployments/99999999999999999999",
        "api/v1/releases?limit=-5x",
        "api/v1/releases/0/log",
        "api/v1/releases/999999",
        "api/v1/services/%E2%82%AC%F0%9F%98%80",
        "api/v1/services/" + new string('s', 4000),
        "api/v1/environments/..%2F..%2Fetc",
        "api/v1/approvals?state=decided",
        "api/v1/audit?before=1.2",
        "api/v1/audit?limit=1e3",
        "api/v1/webhooks/deliveries?before=%27",
        "api/v1/notifications/deliveries?state=%27",
        "api/v1/notifications/deliveries?sink=%00",
        "api/v1/dora?environment=%27",
        "api/v1/dora?environment=dev-1&days=-3",
        "api/v1/dora?environment=dev-1&days=x",
        "api/v1/nothing",
        "api/v2/services",
        "nothing/at/all",
    ];

    [Fact]
    public async Task Hundreds_of_malformed_requests_get_problems_in_the_4xx_range_and_write_nothing()
    {
        await using var setup = await ProductionSetup.StartAsync("{ requires: [dev-1], approval: { required: 1, approvers: [release-managers] } }", "ok", "first");
        await setup.Team["vera"].FinishedDeploymentAsync("shop", "dev-1", setup.FirstCommit);
        await setup.Team["vera"].FinishedDeploymentAsync("shop", "dev-2", setup.FirstCommit);
        var database = Path.Combine(Path.GetDirectoryName(setup.Repo.Path)!, "onward.db");
        var before = await DatabaseSnapshot.SettledAsync(database);
        var callers = new (string Name, string? Authorization)[]
        {
            ("admin", "Bearer " + setup.Team.Tokens["root"]),
            ("nobody", null),
            ("forger", "Bearer onw_" + new string('A', 40)),
            ("odd scheme", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("root:root"))),
        };
        using var http = new HttpClient { BaseAddress = setup.Onward.Config.Server.Listen, Timeout = TimeSpan.FromSeconds(30) };
        var answers = new List<(string Request, int Status, string? ContentType, string Body)>();

        foreach (var (name, authorization) in callers)
        {
            foreach (var target in Targets)
            {
                var (method, path) = (target.Split(' ')[0], target.Split(' ')[1]);
                foreach (var body in Bodies)
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method), path)
                    {
                        Content = new StringContent(body, Encoding.UTF8, body.StartsWith('\u00ff') ? "text/plain" : "application/json"),
                    };
                    request.Headers.TryAddWithoutValidation("Authorization", authorization);
                    request.Headers.TryAddWithoutValidation("X-GitHub-Event", "push");
                    request.Headers.TryAddWithoutValidation("X-GitHub-Delivery", "fuzz-" + answers.Count);
                    request.Headers.TryAddWithoutValidation("X-Gitlab-Event", "Push Hook");
                    answers.Add(await SendAsync(http, request, $"{name}: {target} {Shorten(body)}"));
                }
            }
            foreach (var path in Gets)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
                answers.Add(await SendAsync(http, request, $"{name}: GET {Shorten(path)}"));
            }
        }
        foreach (var head in new[]
        {
            "GET /api/v1/services/a%00b HTTP/1.1\nHost: x",
            "GET /api/v1/" + new string('p', 20_000) + " HTTP/1.1\nHost: x",
            "GET /healthz HTTP/1.1\nHost: x\nX-Big: " + new string('h', 40_000),
            "GET /healthz HTTP/1.1\nHost: x\nBad Header Name: 1",
            "POST /api/v1/deployments HTTP/1.1\nHost: x\nContent-Length: 5\nContent-Length: 7",
            "POST /api/v1/deployments HTTP/1.1\nHost: x\nTransfer-Encoding: gzip, chunked\nContent-Length: 3",
            "GARBAGE\nHost: x",
            "GET / HTTP/9.9\nHost: x",
            "GET /api/v1/deployments HTTP/1.1\nHost: x\nAuthorization: Bearer " + new string('t', 30_000),
        })
        {
            var (status, headers, body) = await RawHttp.SendAsync(setup.Onward.Config.Server.Listen, head, closeAfterBody: false);
            var type = headers.Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?["Content-Type:".Length..].Trim();
            answers.Add(($"raw: {Shorten(head.Split('\n')[0])}", status, type, body));
        }

        answers.Count.ShouldBeGreaterThan(300);
        answers.Where(a => a.Status is < 400 or >= 500).Select(a => $"{a.Status} {a.Request}: {Shorten(a.Body)}").ShouldBeEmpty();
        answers.Where(a => a.ContentType?.StartsWith("application/problem+json", StringComparison.Ordinal) != true)
            .Select(a => $"{a.Status} {a.Request}: {a.ContentType ?? "(no content type)"} {Shorten(a.Body)}").ShouldBeEmpty();
        answers.Where(a => !HasDetail(a.Body)).Select(a => $"{a.Status} {a.Request}: {Shorten(a.Body)}").ShouldBeEmpty();
        answers.ShouldContain(a => a.Status == 401);
        answers.ShouldContain(a => a.Status == 413);
        answers.ShouldContain(a => a.Status == 414);
        answers.ShouldContain(a => a.Status == 431);
        (await http.GetAsync("healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await DatabaseSnapshot.TakeAsync(database)).ShouldBe(before);
    }

    private static readonly string[] Accepts = ["text/html", "image/png", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1", "application/xml", "text/plain; q=0"];

    /// <summary>Strings that are not text: half a surrogate pair, as a value, a key, a context attribute, in a rule.</summary>
    private static readonly (string Target, string Body)[] NotText =
    [
        ("POST flags/dev/ofrep/v1/evaluate/flags/banner", """{"context":{"targetingKey":"\ud800"}}"""),
        ("POST flags/dev/ofrep/v1/evaluate/flags/banner", """{"context":{"\udc00":1}}"""),
        ("POST flags/dev/ofrep/v1/evaluate/flags", """{"context":{"plan":"x\udbff"}}"""),
        ("POST flags/dev/ofrep/v1/evaluate/flags", """{"selector":"flagSetId=\ud800","context":{}}"""),
        ("POST flags/dev/events", """{"targetingKey":"\ud800","event":"checkout"}"""),
        ("POST flags/dev/events", """{"targetingKey":"u1","event":"\udfff"}"""),
        ("PUT api/v1/environments/dev/flags", """{"flags":{"\ud800":{"state":"ENABLED","variants":{"on":true},"defaultVariant":"on"}}}"""),
        ("PUT api/v1/environments/dev/flags", """{"flags":{"f":{"state":"ENABLED","variants":{"on":"\udc00"},"defaultVariant":"on"}}}"""),
        ("PATCH api/v1/environments/dev/flags/banner", """{"comment":"c","targeting":{"==":[{"var":"x"},"\ud800"]}}"""),
        ("PATCH api/v1/environments/dev/flags/banner", """{"comment":"\ud800","state":"DISABLED"}"""),
        ("POST api/v1/deployments", """{"service":"shop","environment":"\ud800","version":"v"}"""),
        ("POST api/v1/tokens", """{"name":"\udc00","role":"viewer"}"""),
    ];

    /// <summary>Issue 22.8: callers that accept no JSON, bodies whose strings are not text, and the UI's query values get 4xx with a body, never 500.</summary>
    [Fact]
    public async Task Any_accept_header_strings_that_are_not_text_and_the_uis_query_values_get_4xx_answers_with_a_body()
    {
        await using var dir = new TempDirectory();
        const string Secret = "fuzz secret";
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        await repo.CommitAsync("first");
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            ["dev: { target: { local: {} }, flags: { cors: [\"https://shop.example\"] } }", TestConfig.ManualEnvironment("prod")],
            [SampleService.ServiceYaml("shop", repo.Path, poll: "1h")], TestConfig.Webhooks(Secret) + "\nauth: { mode: tokens }"));
        var created = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json");
        var root = JsonDocument.Parse(created.Output).RootElement.GetProperty("token").GetString()!;
        using var http = new HttpClient { BaseAddress = onward.Config.Server.Listen, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + root);
        (await http.PutAsync("api/v1/environments/dev/flags", new StringContent("""
            {"flags":{"banner":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off"}}}
            """, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        var database = dir.Combine("onward.db");
        var before = await DatabaseSnapshot.SettledAsync(database);
        var answers = new List<(string Request, int Status, string? ContentType, string Body)>();
        using var plain = new HttpClient { BaseAddress = http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        foreach (var accept in Accepts)
        {
            foreach (var path in Gets)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.TryAddWithoutValidation("Accept", accept);
                answers.Add(await SendAsync(http, request, $"GET {Shorten(path)} (Accept: {accept})"));
            }
            foreach (var (target, body) in new[] { ("POST api/v1/deployments", "{"), ("POST api/v1/deployments", "[]"), ("PUT api/v1/deployments", "{}"), ("POST api/v1/releases", Huge) })
            {
                using var request = new HttpRequestMessage(new HttpMethod(target.Split(' ')[0]), target.Split(' ')[1]) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.TryAddWithoutValidation("Accept", accept);
                answers.Add(await SendAsync(http, request, $"{target} {Shorten(body)} (Accept: {accept})"));
            }
            using var anonymous = new HttpRequestMessage(HttpMethod.Get, "api/v1/services");
            anonymous.Headers.TryAddWithoutValidation("Accept", accept);
            answers.Add(await SendAsync(plain, anonymous, $"GET api/v1/services without a token (Accept: {accept})"));
        }
        foreach (var (target, body) in NotText)
        {
            using var request = new HttpRequestMessage(new HttpMethod(target.Split(' ')[0]), target.Split(' ')[1]) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            answers.Add(await SendAsync(http, request, $"{target} {body}"));
        }

        answers.Where(a => a.Status is < 400 or >= 500).Select(a => $"{a.Status} {a.Request}: {Shorten(a.Body)}").ShouldBeEmpty();
        // OFREP answers in its own shape (errorCode, errorDetails); everything else is a problem.
        answers.Where(a => a.Request.Contains("flags/dev/", StringComparison.Ordinal) && !a.Request.Contains("api/v1", StringComparison.Ordinal)
                ? !a.Body.Contains("errorDetails", StringComparison.Ordinal) || a.ContentType != "application/json"
                : a.ContentType?.StartsWith("application/problem+json", StringComparison.Ordinal) != true || !HasDetail(a.Body))
            .Select(a => $"{a.Status} {a.Request}: {a.ContentType ?? "(no content type)"} {Shorten(a.Body)}").ShouldBeEmpty();
        answers.Where(a => NotText.Any(n => a.Request == $"{n.Target} {n.Body}"))
            .Where(a => !a.Body.Contains("lone UTF-16 surrogate", StringComparison.Ordinal))
            .Select(a => $"{a.Status} {a.Request}: {Shorten(a.Body)}").ShouldBeEmpty();
        (await DatabaseSnapshot.TakeAsync(database)).ShouldBe(before);

        // The UI's query values: a page says what is wrong (400), never 500.
        using var browser = new UiClient(onward.Config.Server.Listen);
        (await browser.SignInAsync(root)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        foreach (var path in new[]
        {
            "/releases?before=abc", "/releases?before=-1", "/releases?before=99999999999999999999", "/webhooks?before=x", "/webhooks?action=zzz",
            "/audit?before=zz", "/audit?before=1.2.3", "/audit?before=" + new string('9', 200), "/environments/dev/flags?before=x", "/environments/dev/flags?after=%00",
            "/dora?days=x", "/dora?days=-5", "/dora?environment=%27", "/services/%E2%82%AC", "/deployments/abc", "/releases/99999999999999999999",
        })
        {
            using var answer = await browser.Http.GetAsync(path);
            var page = await answer.Content.ReadAsStringAsync();
            ((int)answer.StatusCode).ShouldBeLessThan(500, $"{path}: {Shorten(page)}");
            page.Length.ShouldBeGreaterThan(100, path);
        }
        (await browser.Http.GetAsync("/releases?before=abc")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using (var audit = await browser.Http.GetAsync("/audit?before=zz"))
        {
            audit.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await audit.Content.ReadAsStringAsync()).ShouldContain("is not a position in this list");
        }

        // A signed webhook whose payload is not text is refused 400 and recorded, as any malformed payload.
        using var hooks = new HttpClient { BaseAddress = onward.Config.Server.Listen };
        var sender = new WebhookSender(hooks, Secret);
        var hook = await sender.GitHubAsync("push", """{"ref":"refs/heads/main\ud800","after":"0123456789012345678901234567890123456789","repository":{"clone_url":"x"}}""", "not-text-1");
        hook.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var recorded = await http.GetStringAsync("api/v1/webhooks/deliveries?limit=5");
        recorded.ShouldContain("not-text-1");
        recorded.ShouldContain("lone UTF-16 surrogate");
    }

    private static async Task<(string, int, string?, string)> SendAsync(HttpClient http, HttpRequestMessage request, string what)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request);
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException($"{what}: no answer ({e.InnerException?.Message ?? e.Message})", e);
        }
        using var _ = response;
        return (what, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    private static bool HasDetail(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 10 };
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "…";
}
