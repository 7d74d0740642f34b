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
