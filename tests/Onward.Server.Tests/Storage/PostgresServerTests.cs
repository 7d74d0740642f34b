using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Onward.Contracts.Audit;
using Onward.Contracts.Deployments;
using Onward.Contracts.Flags;
using Onward.Contracts.Tokens;
using Onward.Contracts.Webhooks;
using Onward.Testing;

namespace Onward.Server.Tests.Storage;

/// <summary>Issue 15: Onward on PostgreSQL behaves as on SQLite, end to end: builds, deployments, approvals, webhooks, flags, freezes, tokens, audit.</summary>
public class PostgresServerTests
{
    private const string Secret = "on postgres";

    [Fact]
    public async Task A_server_on_postgresql_delivers_approves_receives_webhooks_serves_flags_and_keeps_the_audit_trail()
    {
        await using var dir = new TempDirectory();
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var first = await repo.CommitAsync("first");
        var yaml = database.Use(TestConfig.Yaml(Ports.Free(),
                [TestConfig.AutoEnvironment("dev"), "prod: { target: { local: {} }, policy: { requires: [dev], approval: { required: 1, approvers: [release-managers] } } }"],
                [SampleService.ServiceYaml("shop", repo.Path, poll: "1h")], "auth: { mode: tokens }\n" + TestConfig.Webhooks(Secret)));
        await using var onward = await OnwardHost.StartAsync(dir.Path, yaml);
        File.Exists(dir.Combine("onward.db")).ShouldBeFalse("everything is in PostgreSQL");
        var root = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json");
        root.ExitCode.ShouldBe(0, root.Error);
        using var admin = new OnwardApi(onward.Config.Server.Listen, JsonDocument.Parse(root.Output).RootElement.GetProperty("token").GetString()!);
        var tokens = new Dictionary<string, string>();
        foreach (var name in new[] { "alice", "bob" })
        {
            var (status, problem, created) = await admin.PostAsync<CreatedTokenResponse>("api/v1/tokens", new TokenRequestBody(name, "approver", ["release-managers"]));
            status.ShouldBe(HttpStatusCode.Created, problem?.Detail);
            tokens[name] = created!.Token;
        }
        using var alice = new OnwardApi(onward.Config.Server.Listen, tokens["alice"]);
        using var bob = new OnwardApi(onward.Config.Server.Listen, tokens["bob"]);

        (await admin.FinishedDeploymentAsync("shop", "dev", first)).State.ShouldBe(DeploymentState.Succeeded);
        var (requested, requestProblem, request) = await bob.RequestAsync("shop", "prod", first[..7]);
        requested.ShouldBe(HttpStatusCode.Accepted, requestProblem?.Detail);
        (await bob.DecideAsync(request!.Id)).Status.ShouldBe(HttpStatusCode.Forbidden, "the requester never approves their own");
        (await alice.DecideAsync(request.Id, comment: "fine")).Status.ShouldBe(HttpStatusCode.OK);
        (await alice.DecideAsync(request.Id)).Status.ShouldBe(HttpStatusCode.Conflict, "one decision per person");
        (await admin.FinishedDeploymentAsync("shop", "prod", first)).State.ShouldBe(DeploymentState.Succeeded);

        var second = await repo.CommitAsync("second");
        using (var hook = await new WebhookSender(admin.Http, Secret).GitHubAsync("push", Payloads.GitHubPush(repo.Path, "refs/heads/main", first, second), delivery: "pg-1"))
        {
            hook.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }
        using (var again = await new WebhookSender(admin.Http, Secret).GitHubAsync("push", Payloads.GitHubPush(repo.Path, "refs/heads/main", first, second), delivery: "pg-1"))
        {
            again.StatusCode.ShouldBe(HttpStatusCode.OK, "a redelivery is recognised, not recorded twice");
        }
        (await admin.FinishedDeploymentAsync("shop", "dev", second)).State.ShouldBe(DeploymentState.Succeeded);
        (await admin.GetAsync<DeliveryResponse[]>("api/v1/webhooks/deliveries?provider=github")).Count(d => d.DeliveryId == "pg-1").ShouldBe(1);

        using (var put = await admin.Http.PutAsync("api/v1/environments/dev/flags", new StringContent("""
            {"flags": {"new-checkout": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"}}}
            """, Encoding.UTF8, "application/json")))
        {
            put.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        using (var patch = await admin.Http.PatchAsync("api/v1/environments/dev/flags/new-checkout",
                   new StringContent("""{"state": "DISABLED", "comment": "incident"}""", Encoding.UTF8, "application/json")))
        {
            patch.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        (await admin.GetAsync<FlagChangeResponse[]>("api/v1/environments/dev/flags/new-checkout/history")).Length.ShouldBe(2);
        var sdk = await admin.PostAsync<CreatedTokenResponse>("api/v1/tokens", new TokenRequestBody("web", "sdk", [], null, "dev"));
        sdk.Status.ShouldBe(HttpStatusCode.Created, sdk.Problem?.Detail);
        using var evaluation = new HttpRequestMessage(HttpMethod.Post, "flags/dev/ofrep/v1/evaluate/flags/new-checkout")
        {
            Content = new StringContent("""{"context": {"targetingKey": "u1"}}""", Encoding.UTF8, "application/json"),
        };
        evaluation.Headers.Authorization = new("Bearer", sdk.Value!.Token);
        using (var evaluated = await admin.Http.SendAsync(evaluation))
        {
            JsonNode.Parse(await evaluated.Content.ReadAsStringAsync())!["reason"]!.GetValue<string>().ShouldBe("DISABLED");
        }

        (await admin.PostAsync<JsonObject>("api/v1/environments/prod/freeze", new { until = "1h", reason = "audit on postgres" })).Status.ShouldBe(HttpStatusCode.OK);
        var audit = await admin.GetAsync<AuditEntryResponse[]>("api/v1/audit?environment=prod&limit=100");
        audit.ShouldContain(e => e.Action == "freeze.set" && e.Message.Contains("audit on postgres", StringComparison.Ordinal));
        audit.ShouldContain(e => e.Actor == "alice" && e.DeploymentId == request.Id);
        (await admin.GetAsync<AuditEntryResponse[]>("api/v1/audit?limit=100")).ShouldContain(e => e.Action == "token.created");
    }

    /// <summary>
    /// Connections cut under running steps (a failover, a network cut): each step fails, is tried again with the next
    /// connection, and the pipeline ends as it would have: every commit built once, deployed once, the last one serving.
    /// </summary>
    [Fact]
    public async Task Connections_lost_mid_step_are_retried_and_nothing_is_lost_or_done_twice()
    {
        await using var dir = new TempDirectory();
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var first = await repo.CommitAsync("first");
        var yaml = database.Use(TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev"), TestConfig.AutoEnvironment("dev-2")],
            [SampleService.ServiceYaml("shop", repo.Path, poll: "300ms")]));
        await using var onward = await OnwardHost.StartAsync(dir.Path, yaml);
        (await onward.Api.FinishedDeploymentAsync("shop", "dev", first)).State.ShouldBe(DeploymentState.Succeeded);

        var ended = 0;
        using var stop = new CancellationTokenSource();
        var cutting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                ended += await database.TerminateConnectionsAsync();
                await Task.Delay(200);
            }
        });
        var commits = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            commits.Add(await repo.CommitAsync($"change {i}"));
            await Task.Delay(TimeSpan.FromSeconds(1.5));
        }
        await stop.CancelAsync();
        await cutting;

        ended.ShouldBeGreaterThan(10, "connections were cut while the pipeline ran");
        // Steps whose outcome could not be recorded wait for their lease (15 s) to run out: slow on a busy machine, never lost.
        var patience = TimeSpan.FromMinutes(3);
        foreach (var environment in new[] { "dev", "dev-2" })
        {
            (await Eventually.WaitAsync(async () => (await onward.Api.DeploymentsAsync("shop", environment)).FirstOrDefault(d => d.Release.Commit == commits[^1] && d.State.IsTerminal()),
                $"the last commit's deployment to {environment}", patience)).State.ShouldBe(DeploymentState.Succeeded);
            var address = (await onward.Api.ServiceAsync("shop")).Environments.Single(e => e.Name == environment).Url!;
            (await OnwardApi.AnswerAsync(address + "/")).ShouldBe($"{commits[^1][..7]} in {environment}");
        }
        var deployments = await Eventually.WaitAsync(async () => await onward.Api.DeploymentsAsync("shop") is var all && all.All(d => d.State.IsTerminal()) ? all : null,
            "every deployment to end", patience);
        deployments.GroupBy(d => (d.Release.Commit, d.Environment)).ShouldAllBe(g => g.Count() == 1, "no release deployed twice to one environment");
        deployments.ShouldAllBe(d => d.Events.Count(e => e.Message.StartsWith("applying", StringComparison.Ordinal)) <= 1, "no deployment applied twice");
        var releases = await Eventually.WaitAsync(async () => await onward.Api.ReleasesAsync("shop") is var all && all.All(r => r.State != "Building") ? all : null,
            "every build to end", patience);
        releases.Select(r => r.Commit).ShouldBeUnique("no commit built twice");
        releases.Select(r => r.Commit).ShouldContain(commits[^1]);
        releases.ShouldAllBe(r => r.State == "Built");
    }
}
