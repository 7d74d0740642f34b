using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Onward.Contracts.Environments;
using Onward.Contracts.Tokens;
using Onward.Testing;

namespace Onward.Server.Tests.Production;

/// <summary>Issue 22.6-8: web sessions the server can end, and forms that work only from their own session and site.</summary>
public class WebSessionTests
{
    private static async Task<(OnwardHost Onward, TempDirectory Dir, string Root, string Alice)> StartAsync()
    {
        var dir = new TempDirectory();
        var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            [TestConfig.AutoEnvironment("dev"), TestConfig.ManualEnvironment("prod")], [], "auth: { mode: tokens }"));
        string Token(OnwardCli.Result created)
        {
            created.ExitCode.ShouldBe(0, created.Error);
            return JsonDocument.Parse(created.Output).RootElement.GetProperty("token").GetString()!;
        }
        var root = Token(await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json"));
        var alice = Token(await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "alice", "--role", "viewer", "--json"));
        return (onward, dir, root, alice);
    }

    /// <summary>A client that sends exactly the cookies given (as a forger would), no others.</summary>
    private static HttpClient Raw(Uri server) => new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = server };

    [Fact]
    public async Task Signing_out_or_revoking_the_token_ends_the_session_on_the_server_and_closes_its_streams()
    {
        var (onward, dir, root, alice) = await StartAsync();
        await using var _ = dir;
        await using var __ = onward;
        var server = onward.Config.Server.Listen;
        using var browser = new UiClient(server);
        (await browser.SignInAsync(alice)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var cookie = browser.Cookie("onward_session")!;
        cookie.ShouldNotContain(alice[4..12]);
        (await browser.PageAsync("/")).ShouldContain("Signed in as <strong>alice</strong>");

        (await browser.SignOutAsync()).Headers.Location!.ToString().ShouldEndWith("/login");

        using var replay = Raw(server);
        using (var replayed = new HttpRequestMessage(HttpMethod.Get, "/"))
        {
            replayed.Headers.Add("Cookie", $"onward_session={cookie}");
            var answer = await replay.SendAsync(replayed);
            answer.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the cookie of a session signed out is worth nothing, replayed or not");
            answer.Headers.Location!.ToString().ShouldEndWith("/login");
        }
        var listed = await OnwardCli.RunAsync(dir.Path, "tokens", "sessions", "--config", "onward.yaml", "--name", "alice", "--json");
        listed.ExitCode.ShouldBe(0, listed.Error);
        var sessions = JsonSerializer.Deserialize<SessionResponse[]>(listed.Output, OnwardApi.Json)!;
        sessions.ShouldHaveSingleItem().EndedReason.ShouldBe("signed out");
        sessions[0].Active.ShouldBeFalse();

        // A new session with an event stream open: revoking the token ends both, the stream at its next look.
        using var again = new UiClient(server);
        (await again.SignInAsync(alice)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        using var stream = await again.Http.GetAsync("/ui/events", HttpCompletionOption.ResponseHeadersRead);
        stream.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var rootApi = new OnwardApi(server, root);
        (await rootApi.Http.DeleteAsync("api/v1/tokens?name=alice")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        var read = reader.ReadToEndAsync();
        (await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(30)))).ShouldBe(read, "the stream closes once its session ended");
        (await read).ShouldContain("event: ended");
        (await again.Http.GetAsync("/ui/events")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var ended = await rootApi.GetAsync<SessionResponse[]>("api/v1/tokens/sessions?name=alice");
        ended.Select(s => s.EndedReason).ShouldBe(["token revoked", "signed out"]);

        // An admin ends one session by its id.
        using var third = new UiClient(server);
        (await third.SignInAsync(root)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var lasting = (await rootApi.GetAsync<SessionResponse[]>("api/v1/tokens/sessions?name=root&active=true")).ShouldHaveSingleItem();
        var end = await OnwardCli.RunAsync(null, "tokens", "sessions", "end", lasting.Id.ToString(), "--server", server.ToString(), "--token", root);
        end.ExitCode.ShouldBe(0, end.Error);
        (await third.Http.GetAsync("/")).Headers.Location!.ToString().ShouldEndWith("/login");
        var table = await OnwardCli.RunAsync(null, "tokens", "sessions", "--name", "root", "--server", server.ToString(), "--token", root);
        table.Output.ShouldContain("ended by root");
    }

    [Fact]
    public async Task A_form_works_only_with_its_own_session_and_from_the_servers_own_pages()
    {
        var (onward, dir, root, _) = await StartAsync();
        await using var _d = dir;
        await using var _o = onward;
        var server = onward.Config.Server.Listen;
        using var admin = new UiClient(server);
        (await admin.SignInAsync(root)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var session = admin.Cookie("onward_session")!;
        var ownToken = UiClient.Token(await admin.PageAsync("/environments"), "freeze");
        var ownAntiforgery = admin.Cookies.GetAllCookies().Single(c => c.Name.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        // A visitor's pair, from the sign-in page anyone may open.
        using var visitor = new UiClient(server);
        var visitorToken = UiClient.Token(await visitor.PageAsync("/login"), "login");
        var visitorAntiforgery = visitor.Cookies.GetAllCookies().Single(c => c.Name.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        var freeze = new Dictionary<string, string> { ["_handler"] = "freeze", ["Freeze.Environment"] = "prod", ["Freeze.Until"] = "2h", ["Freeze.Reason"] = "pwned" };
        using var raw = Raw(server);
        async Task<HttpResponseMessage> PostAsync(Cookie antiforgery, string token, string? origin, string? referer = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/environments") { Content = new FormUrlEncodedContent(freeze.Append(new("__RequestVerificationToken", token))) };
            request.Headers.Add("Cookie", $"onward_session={session}; {antiforgery.Name}={antiforgery.Value}");
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }
            if (referer is not null)
            {
                request.Headers.Referrer = new Uri(referer);
            }
            return await raw.SendAsync(request);
        }

        var forged = await PostAsync(visitorAntiforgery, visitorToken, "http://evil.example");
        var forgedNoOrigin = await PostAsync(visitorAntiforgery, visitorToken, null);
        var crossSite = await PostAsync(ownAntiforgery, ownToken, "http://evil.example");
        var crossSiteReferer = await PostAsync(ownAntiforgery, ownToken, null, "http://evil.example/attack.html");
        var nullOrigin = await PostAsync(ownAntiforgery, ownToken, "null");

        forged.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        forgedNoOrigin.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "a visitor's token does not fit an admin's session");
        (await forgedNoOrigin.Content.ReadAsStringAsync()).ShouldContain("This form has expired");
        crossSite.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await crossSite.Content.ReadAsStringAsync()).ShouldContain("Onward takes changes only from its own pages");
        crossSite.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        crossSiteReferer.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        nullOrigin.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var api = new OnwardApi(server, root);
        (await api.GetAsync<EnvironmentResponse>("api/v1/environments/prod")).Frozen.ShouldBeNull("nothing reached the freeze");

        var own = await PostAsync(ownAntiforgery, ownToken, server.GetLeftPart(UriPartial.Authority));
        own.StatusCode.ShouldBe(HttpStatusCode.OK, await own.Content.ReadAsStringAsync());
        (await api.GetAsync<EnvironmentResponse>("api/v1/environments/prod")).Frozen!.Reason.ShouldEndWith("pwned");

        // No token at all: a page saying what to do, never an empty answer or a server error.
        using var noToken = new HttpRequestMessage(HttpMethod.Post, "/logout") { Content = new FormUrlEncodedContent([]) };
        noToken.Headers.Add("Cookie", $"onward_session={session}");
        var logout = await raw.SendAsync(noToken);
        logout.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await logout.Content.ReadAsStringAsync()).ShouldContain("Reload the page and use Sign out there");
        var form = await admin.PostFormAsync("/environments", "freeze", freeze, token: "");
        form.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await form.Content.ReadAsStringAsync()).ShouldContain("Reload the page and send it again");
        (await admin.Http.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.OK, "the refused sign-out left the session as it was");
    }

    /// <summary>With auth.mode none, a page whose name points at 127.0.0.1 (DNS rebinding) must not reach Onward as the anonymous admin.</summary>
    [Fact]
    public async Task Without_tokens_only_requests_addressed_to_the_servers_own_names_are_answered()
    {
        await using var dir = new TempDirectory();
        var port = Ports.Free();
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(port, [TestConfig.ManualEnvironment("prod")], []));
        using var raw = Raw(onward.Config.Server.Listen);
        async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string host, string? origin = null, HttpContent? content = null)
        {
            var request = new HttpRequestMessage(method, path) { Content = content };
            request.Headers.Host = host;
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }
            return await raw.SendAsync(request);
        }

        var rebound = await SendAsync(HttpMethod.Post, "api/v1/environments/prod/freeze", $"evil.example:{port}", $"http://evil.example:{port}",
            JsonContent.Create(new { until = "2h", reason = "pwned" }));
        rebound.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await rebound.Content.ReadAsStringAsync()).ShouldContain($"this server answers requests addressed to 127.0.0.1:{port} (or localhost) only, not to 'evil.example:{port}'");
        (await SendAsync(HttpMethod.Get, "/environments", $"evil.example:{port}")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await SendAsync(HttpMethod.Get, "api/v1/environments/prod", $"localhost:{port}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await SendAsync(HttpMethod.Get, "api/v1/environments/prod", $"127.0.0.1:{port}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await onward.Api.GetAsync<EnvironmentResponse>("api/v1/environments/prod")).Frozen.ShouldBeNull();
    }

    [Fact]
    public async Task Signing_in_again_in_the_same_browser_ends_the_session_it_had()
    {
        var (onward, dir, root, alice) = await StartAsync();
        await using var _d = dir;
        await using var _o = onward;
        using var browser = new UiClient(onward.Config.Server.Listen);
        (await browser.SignInAsync(alice)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await browser.SignInAsync(root)).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        using var api = new OnwardApi(onward.Config.Server.Listen, root);
        var sessions = await api.GetAsync<SessionResponse[]>("api/v1/tokens/sessions");
        sessions.Select(s => (s.Name, s.Active, s.EndedReason)).ShouldBe([("root", true, null), ("alice", false, "signed in again")]);
    }
}
