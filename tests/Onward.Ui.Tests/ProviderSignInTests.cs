using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Onward.Contracts.Deployments;
using Onward.Testing;

namespace Onward.Ui.Tests;

/// <summary>Issue 26: people sign in with a real OpenID provider; its groups decide what they may do; whatever is wrong with its answer starts no session.</summary>
public class ProviderSignInTests
{
    /// <summary>The setup most tests here share: a repository with one commit, the provider, Onward signing in with it, a browser.</summary>
    private sealed class SignedInSetup : IAsyncDisposable
    {
        private TempDirectory _dir = null!;
        private GitRepository _repo = null!;
        private string _commit = "";
        private OidcProvider _provider = null!;
        private OnwardHost _onward = null!;
        private Browser _browser = null!;

        public static async Task<SignedInSetup> StartAsync()
        {
            var setup = new SignedInSetup { _dir = new TempDirectory() };
            setup._repo = await GitRepository.InitAsync(setup._dir.Combine("shop"));
            await setup._repo.BehaveAsync("ok");
            setup._commit = await setup._repo.CommitAsync("first");
            var port = Ports.Free();
            setup._provider = await OidcProvider.StartAsync([$"http://127.0.0.1:{port}/signin-oidc"]);
            setup._onward = await OnwardHost.StartAsync(setup._dir.Path, Yaml(port, setup._provider, setup._repo.Path));
            setup._browser = await Browser.LaunchAsync();
            return setup;
        }

        public void Deconstruct(out TempDirectory dir, out GitRepository repo, out string commit, out OidcProvider provider, out OnwardHost onward, out Browser browser) =>
            (dir, repo, commit, provider, onward, browser) = (_dir, _repo, _commit, _provider, _onward, _browser);

        public async ValueTask DisposeAsync()
        {
            await _browser.DisposeAsync();
            await _onward.DisposeAsync();
            await _provider.DisposeAsync();
            await _dir.DisposeAsync();
        }
    }

    private static string Yaml(int port, OidcProvider provider, string repository) =>
        TestConfig.Yaml(port,
            [TestConfig.AutoEnvironment("dev"), "prod: { target: { local: {} }, policy: { requires: [dev], approval: { required: 1, approvers: [release-managers] } } }"],
            [SampleService.ServiceYaml("shop", repository), SampleService.ServiceYaml("web", repository)],
            $$"""
            auth:
              mode: tokens
              oidc:
                name: Test SSO
                issuer: {{provider.Issuer}}
                clientId: {{OidcProvider.ClientId}}
                clientSecret: {{OidcProvider.ClientSecret}}
                scopes: [openid, profile, email, groups]
                roles:
                  admin: [platform]
                  approver: [release-managers]
                  deployer: [developers, { group: shop-team, services: [shop] }]
            """).Replace("  dataDir: .onward", $"  dataDir: .onward\n  publicUrl: http://127.0.0.1:{port}", StringComparison.Ordinal);

    /// <summary>Signs in at the provider's own pages as <paramref name="login"/> (any password), consenting when asked.</summary>
    private static async Task ThroughProviderAsync(IPage page, string login)
    {
        await page.GotoAsync("/login");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Test SSO" }).ClickAsync();
        await page.Locator("input[name=login]").FillAsync(login);
        await page.Locator("input[name=password]").FillAsync("any password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign-in" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
    }

    /// <summary>An access token for Onward's API from the provider, as <c>onward login</c> gets one: the device flow, confirmed in a browser as <paramref name="login"/>.</summary>
    private static async Task<string> AccessTokenAsync(Browser browser, OidcProvider provider, Uri server, string login)
    {
        var (userCode, verification, deviceCode) = await provider.StartDeviceFlowAsync();
        var page = await browser.PageAsync(server);
        await page.GotoAsync(verification);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.Locator("input[name=login]").FillAsync(login);
        await page.Locator("input[name=password]").FillAsync("any password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign-in" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Sign-in Success")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
        var (accessToken, error) = await provider.DeviceTokenAsync(deviceCode);
        return accessToken ?? throw new InvalidOperationException($"no access token for {login} ({userCode}): {error}");
    }

    [Fact]
    public async Task A_team_scoped_deployer_deploys_its_service_only_and_sees_Deploy_only_there()
    {
        await using var setup = await SignedInSetup.StartAsync();
        var (dir, repo, commit, provider, onward, browser) = setup;
        using var sam = new OnwardApi(onward.Config.Server.Listen, await AccessTokenAsync(browser, provider, onward.Config.Server.Listen, "sam"));
        (await sam.FinishedDeploymentAsync("shop", "dev", commit)).State.ShouldBe(DeploymentState.Succeeded);
        (await sam.FinishedDeploymentAsync("web", "dev", commit)).State.ShouldBe(DeploymentState.Succeeded);

        var (shop, shopProblem, _) = await sam.PostAsync<DeploymentResponse>("api/v1/deployments", new DeploymentRequestBody("shop", "prod", commit[..7], null, "ship it", null));
        shop.ShouldBe(HttpStatusCode.Accepted, shopProblem?.Detail);
        var (web, webProblem, _) = await sam.PostAsync<DeploymentResponse>("api/v1/deployments", new DeploymentRequestBody("web", "prod", commit[..7], null, "ship it", null));
        web.ShouldBe(HttpStatusCode.Forbidden);
        webProblem!.Detail.ShouldBe("sam is deployer only for services shop (group shop-team), not for web in prod");

        var page = await browser.PageAsync(onward.Config.Server.Listen);
        await ThroughProviderAsync(page, "sam");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        await page.GotoAsync("/services/shop");
        await Assertions.Expect(page.GetByText("Deploy to prod…")).ToBeVisibleAsync();
        await page.GotoAsync("/services/web");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "web" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Deploy to prod…")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByText("Deploy to dev…")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_release_manager_approves_what_a_developer_requested_with_a_provider_access_token_and_the_developer_cannot()
    {
        await using var setup = await SignedInSetup.StartAsync();
        var (dir, repo, commit, provider, onward, browser) = setup;

        var alice = await browser.PageAsync(onward.Config.Server.Listen);
        await ThroughProviderAsync(alice, "alice");
        await Assertions.Expect(alice.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        await Assertions.Expect(alice.Locator("header")).ToContainTextAsync("alice");

        // dave gets an access token for Onward's API from the provider (device flow, confirmed in his browser) and asks for prod.
        using var daveApi = new OnwardApi(onward.Config.Server.Listen, await AccessTokenAsync(browser, provider, onward.Config.Server.Listen, "dave"));
        (await daveApi.FinishedDeploymentAsync("shop", "dev", commit)).State.ShouldBe(DeploymentState.Succeeded);
        var (requested, problem, deployment) = await daveApi.PostAsync<DeploymentResponse>("api/v1/deployments",
            new DeploymentRequestBody("shop", "prod", commit[..7], null, "ship it", null));
        requested.ShouldBe(HttpStatusCode.Accepted, problem?.Detail);
        deployment!.RequestedBy.ShouldBe("dave");
        var (approved, refusal, _) = await daveApi.PostAsync<DeploymentResponse>($"api/v1/deployments/{deployment.Id}/approve", new DecisionBody(null));
        approved.ShouldBe(HttpStatusCode.Forbidden, "a developer is a deployer, not an approver");
        refusal!.Detail.ShouldNotBeNull().ShouldContain("dave has the role deployer");

        // dave in the browser too: his own request, and no Approve button.
        var daveUi = await browser.PageAsync(onward.Config.Server.Listen);
        await ThroughProviderAsync(daveUi, "dave");
        await Assertions.Expect(daveUi.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        await daveUi.GotoAsync($"/deployments/{deployment.Id}");
        await Assertions.Expect(daveUi.GetByText("requested by dave")).ToBeVisibleAsync();
        await Assertions.Expect(daveUi.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);

        await alice.GotoAsync($"/deployments/{deployment.Id}");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(alice.GetByText("✔ approved by alice")).ToBeVisibleAsync();
        await Assertions.Expect(alice.Locator("ol.timeline")).ToContainTextAsync("Succeeded", new() { Timeout = 120_000 });

        // Who signed in, for an admin: both, with their groups, told apart by their subjects.
        var root = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json");
        using var admin = new OnwardApi(onward.Config.Server.Listen, JsonDocument.Parse(root.Output).RootElement.GetProperty("token").GetString()!);
        var people = await admin.Http.GetStringAsync("api/v1/people");
        people.ShouldContain("\"name\":\"alice\"");
        people.ShouldContain($"\"subject\":\"{provider.Issuer}#dave\"");
        people.ShouldContain("\"groups\":[\"release-managers\"]");
        var listed = await OnwardCli.RunAsync(null, "people", "list", "--server", onward.Config.Server.Listen.ToString(), "--token",
            JsonDocument.Parse(root.Output).RootElement.GetProperty("token").GetString()!);
        listed.ExitCode.ShouldBe(0, listed.Error);
        listed.Output.ShouldContain("dave");
        listed.Output.ShouldContain("developers");
    }

    [Fact]
    public async Task Onward_login_signs_the_CLI_in_through_the_browser_and_keeps_the_session_for_the_server()
    {
        await using var setup = await SignedInSetup.StartAsync();
        var (dir, repo, commit, provider, onward, browser) = setup;
        var server = onward.Config.Server.Listen.ToString();
        var home = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = dir.Combine("config"), ["ONWARD_TOKEN"] = "" };

        var info = new System.Diagnostics.ProcessStartInfo("dotnet", [Paths.OnwardDll, "login", "--server", server, "--no-open"]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in home)
        {
            info.Environment[name] = value;
        }
        using var login = System.Diagnostics.Process.Start(info)!;
        var first = await login.StandardOutput.ReadLineAsync();
        first.ShouldNotBeNull().ShouldStartWith($"Sign in at {server}login/cli?port=");
        var page = await browser.PageAsync(onward.Config.Server.Listen);
        await page.GotoAsync(first["Sign in at ".Length..]);
        await page.Locator("input[name=login]").FillAsync("dave");
        await page.Locator("input[name=password]").FillAsync("any password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign-in" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        // Nothing reaches the CLI before the person confirms on a page of their session (no other page can send it).
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in the CLI as dave" }).ClickAsync();
        await Assertions.Expect(page.GetByText("The CLI is signed in to Onward")).ToBeVisibleAsync();
        var rest = await login.StandardOutput.ReadToEndAsync();
        await login.WaitForExitAsync();
        login.ExitCode.ShouldBe(0, rest + await login.StandardError.ReadToEndAsync());
        rest.ShouldContain($"signed in to {server} as dave (deployer)");
        var kept = await File.ReadAllTextAsync(dir.Combine("config", "onward", "sessions.json"));
        kept.ShouldContain("ons_");
        File.GetUnixFileMode(dir.Combine("config", "onward", "sessions.json")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // Every later command for that server goes as dave, without a token.
        var root = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json");
        using (var admin = new OnwardApi(onward.Config.Server.Listen, JsonDocument.Parse(root.Output).RootElement.GetProperty("token").GetString()!))
        {
            (await admin.FinishedDeploymentAsync("shop", "dev", commit)).State.ShouldBe(DeploymentState.Succeeded);
        }
        var deploy = await OnwardCli.RunAsync(null, home, "deployments", "request", "--service", "shop", "--env", "prod", "--version", commit[..7], "--reason", "from the CLI", "--server", server);
        deploy.ExitCode.ShouldBe(0, deploy.Error + deploy.Output);
        var audit = await OnwardCli.RunAsync(null, home, "deployments", "list", "--service", "shop", "--env", "prod", "--json", "--server", server);
        audit.Output.ShouldContain("\"requestedBy\":\"dave\"");

        var logout = await OnwardCli.RunAsync(null, home, "logout", "--server", server);
        logout.Output.ShouldContain($"forgot the session for {server}");
        var after = await OnwardCli.RunAsync(null, home, "deployments", "list", "--server", server);
        after.ExitCode.ShouldNotBe(0);
    }

    [Fact]
    public async Task Onward_login_with_a_device_code_signs_the_CLI_in_from_a_host_without_a_browser()
    {
        await using var setup = await SignedInSetup.StartAsync();
        var (dir, repo, _, provider, onward, browser) = setup;
        var server = onward.Config.Server.Listen.ToString();
        var home = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = dir.Combine("config"), ["ONWARD_TOKEN"] = "" };
        var info = new System.Diagnostics.ProcessStartInfo("dotnet", [Paths.OnwardDll, "login", "--device", "--server", server]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in home)
        {
            info.Environment[name] = value;
        }
        using var login = System.Diagnostics.Process.Start(info)!;
        var first = await login.StandardOutput.ReadLineAsync();
        first.ShouldNotBeNull().ShouldStartWith("Confirm the code ");

        // On another device: the provider's page for the code, then its sign-in.
        var page = await browser.PageAsync(onward.Config.Server.Listen);
        await page.GotoAsync(first[(first.IndexOf(" at ", StringComparison.Ordinal) + 4)..]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.Locator("input[name=login]").FillAsync("alice");
        await page.Locator("input[name=password]").FillAsync("any password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign-in" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Sign-in Success")).ToBeVisibleAsync();

        var rest = await login.StandardOutput.ReadToEndAsync();
        await login.WaitForExitAsync();
        login.ExitCode.ShouldBe(0, rest + await login.StandardError.ReadToEndAsync());
        rest.ShouldContain($"signed in to {server} as alice");
        var me = await OnwardCli.RunAsync(null, home, "approvals", "list", "--server", server);
        me.ExitCode.ShouldBe(0, me.Error);
    }

    [Fact]
    public async Task Signing_in_works_over_https_behind_a_trusted_proxy_with_secure_cookies()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        await repo.CommitAsync("first");
        var port = Ports.Free();
        await using var proxy = await TlsProxy.StartAsync(new Uri($"http://127.0.0.1:{port}/"));
        await using var provider = await OidcProvider.StartAsync([$"{proxy.Url}signin-oidc"]);
        var yaml = Yaml(port, provider, repo.Path)
            .Replace($"  publicUrl: http://127.0.0.1:{port}", $"  publicUrl: {proxy.Url.ToString().TrimEnd('/')}\n  trustedProxies: [127.0.0.1]", StringComparison.Ordinal);
        await using var onward = await OnwardHost.StartAsync(dir.Path, yaml);
        await using var browser = await Browser.LaunchAsync();

        var page = await browser.PageAsync(proxy.Url, selfSignedHttps: true);
        await ThroughProviderAsync(page, "alice");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("header")).ToContainTextAsync("alice");
        page.Url.ShouldStartWith(proxy.Url.ToString());
        var session = (await page.Context.CookiesAsync()).Single(c => c.Name == "__Host-onward_session");
        session.Secure.ShouldBeTrue();
        session.HttpOnly.ShouldBeTrue();
        session.SameSite.ShouldBe(SameSiteAttribute.Lax);
    }

    [Fact]
    public async Task Two_replicas_take_the_same_session_and_a_revocation_ends_it_on_both_at_once()
    {
        await using var dir = new TempDirectory();
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        await repo.CommitAsync("first");
        var (portOne, portTwo) = (Ports.Free(), Ports.Free());
        await using var provider = await OidcProvider.StartAsync([$"http://127.0.0.1:{portOne}/signin-oidc"]);
        var config = dir.Combine("onward.yaml");
        await File.WriteAllTextAsync(config, database.Use(Yaml(portOne, provider, repo.Path)));
        await using var one = await OnwardProcess.StartAsync(config, new Uri($"http://127.0.0.1:{portOne}/"), dir.Combine("one.log"));
        await using var two = await OnwardProcess.StartAsync(config, new Uri($"http://127.0.0.1:{portTwo}/"), dir.Combine("two.log"), "--listen", $"http://127.0.0.1:{portTwo}");
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.PageAsync(one.Url);
        await ThroughProviderAsync(page, "alice");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();

        // The session lives in the database: the other replica takes the same cookie (cookies do not go by port).
        await page.GotoAsync(two.Url + "approvals");
        await Assertions.Expect(page.Locator("header")).ToContainTextAsync("alice");

        var root = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json");
        root.ExitCode.ShouldBe(0, root.Error);
        using var admin = new OnwardApi(one.Url, JsonDocument.Parse(root.Output).RootElement.GetProperty("token").GetString()!);
        using var people = JsonDocument.Parse(await admin.Http.GetStringAsync("api/v1/people"));
        var alice = people.RootElement.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "alice").GetProperty("id").GetInt64();
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "onward_session").Value;
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        async Task<HttpStatusCode> AskAsync(Uri replica)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(replica, "approvals"));
            request.Headers.Add("Cookie", $"onward_session={cookie}");
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }
        (await AskAsync(two.Url)).ShouldBe(HttpStatusCode.OK);
        (await admin.Http.DeleteAsync($"api/v1/tokens/{alice}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Each replica looks the session up with every request: the first request after the revocation is sent to sign in.
        var revoked = System.Diagnostics.Stopwatch.StartNew();
        (await AskAsync(two.Url)).ShouldBe(HttpStatusCode.Redirect);
        (await AskAsync(one.Url)).ShouldBe(HttpStatusCode.Redirect);
        revoked.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1));
        await page.GotoAsync(two.Url + "approvals");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();

        // Signing in again (the provider remembers her: no pages there this time) is refused with the reason, and starts no session.
        await page.GotoAsync(one.Url + "login");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Test SSO" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign-in refused" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("an admin revoked alice's access to Onward");
    }

    [Fact]
    public async Task Whatever_is_wrong_with_the_providers_answer_is_said_in_one_line_and_starts_no_session()
    {
        await using var setup = await SignedInSetup.StartAsync();
        var (dir, repo, _, provider, onward, browser) = setup;

        async Task RefusedAsync(string login, string reason, string? tamper = null)
        {
            var page = await browser.PageAsync(onward.Config.Server.Listen);
            if (tamper is not null)
            {
                await provider.TamperAsync(tamper);
            }
            await ThroughProviderAsync(page, login);
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign-in refused" })).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("main")).ToContainTextAsync(reason);
            await page.GotoAsync("/");
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
            await page.Context.CloseAsync();
        }

        await RefusedAsync("nora", "the provider says this person is in the groups marketing, and auth.oidc.roles gives none of them a role");
        await RefusedAsync("nogroups", "the provider's answer has no `groups` claim");
        await RefusedAsync("dave", $"the ID token was not issued by {provider.Issuer} (wrong issuer)", tamper: "wrong-issuer");
        await RefusedAsync("dave", "the ID token is not for this client, onward (wrong audience)", tamper: "wrong-audience");
        await RefusedAsync("dave", "the ID token has expired", tamper: "expired");
        await RefusedAsync("dave", "the ID token's signature does not verify with the provider's keys", tamper: "bad-signature");
        await RefusedAsync("dave", "is not signed with an algorithm Onward takes", tamper: "alg-none");
        await RefusedAsync("dave", "the answer's nonce is not this sign-in's", tamper: "wrong-nonce");

        // An answer replayed in another browser (a stolen or stale callback): its state is not that browser's sign-in.
        var first = await browser.PageAsync(onward.Config.Server.Listen);
        var callback = first.WaitForRequestAsync(r => r.Url.Contains("/signin-oidc?", StringComparison.Ordinal));
        await ThroughProviderAsync(first, "dave");
        var replayed = await browser.PageAsync(onward.Config.Server.Listen);
        await replayed.GotoAsync((await callback).Url);
        await Assertions.Expect(replayed.GetByRole(AriaRole.Heading, new() { Name = "Sign-in refused" })).ToBeVisibleAsync();
        await Assertions.Expect(replayed.Locator("main")).ToContainTextAsync("the answer's state is not this browser's sign-in");
        await replayed.GotoAsync("/");
        await Assertions.Expect(replayed.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();

        // The same person with nothing wrong gets in, and the tokens' sign-in still works beside the provider's.
        var page = await browser.PageAsync(onward.Config.Server.Listen);
        await ThroughProviderAsync(page, "pat");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("header")).ToContainTextAsync("pat");

        // Without the provider, signing in says so; machine tokens and signed-in sessions go on.
        await provider.DisposeAsync();
        var root = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "ci", "--role", "viewer", "--json");
        using var ci = new OnwardApi(onward.Config.Server.Listen, JsonDocument.Parse(root.Output).RootElement.GetProperty("token").GetString()!);
        (await ci.ServiceAsync("shop")).Name.ShouldBe("shop");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("header")).ToContainTextAsync("pat");
        var stranded = await browser.PageAsync(onward.Config.Server.Listen);
        await stranded.GotoAsync("/login");
        await stranded.GetByRole(AriaRole.Link, new() { Name = "Sign in with Test SSO" }).ClickAsync();
        await Assertions.Expect(stranded.GetByRole(AriaRole.Heading, new() { Name = "Sign-in is not possible now" })).ToBeVisibleAsync();
        await Assertions.Expect(stranded.Locator("main")).ToContainTextAsync($"Test SSO ({provider.Issuer}) cannot be reached");
    }
}
