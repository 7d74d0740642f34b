using Onward.Contracts.Deployments;
using System.Text.Json.Nodes;
using Onward.Contracts.Notifications;
using Onward.Testing;

namespace Onward.Server.Tests.Insight;

/// <summary>Issue 16.2: builds and deployments reported as commit statuses, in the shapes GitHub, GitLab and Gitea document.</summary>
public class CommitStatusTests
{
    [Theory]
    [InlineData("github", "/api/repos/acme/shop/statuses/", "Authorization", "Bearer the-token", "context", "pending", "success")]
    [InlineData("gitlab", "/api/projects/acme%2Fshop/statuses/", "PRIVATE-TOKEN", "the-token", "name", "running", "success")]
    [InlineData("gitea", "/api/repos/acme/shop/statuses/", "Authorization", "token the-token", "context", "pending", "success")]
    public async Task Each_build_and_deployment_sets_a_commit_status_on_the_git_host(
        string host, string statuses, string authHeader, string auth, string contextField, string deploying, string verified)
    {
        await using var dir = new TempDirectory();
        await using var api = await HookReceiver.StartAsync();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var commit = await repo.CommitAsync("reported");
        var port = Ports.Free();
        var service = SampleService.ServiceYaml("shop", repo.Path)
            + $"\n    report: {{ {host}: {{ token: the-token, apiUrl: \"{api.Url("/api")}\", repository: acme/shop }} }}";
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(port, [TestConfig.AutoEnvironment("dev")], [service]));
        (await onward.Api.FinishedDeploymentAsync("shop", "dev", commit)).State.ShouldBe(DeploymentState.Succeeded);

        var sent = await Eventually.WaitAsync(() => Task.FromResult(api.At(statuses + commit) is { Count: >= 4 } all ? all : null), "the statuses to reach the host");

        sent.ShouldAllBe(r => r.Method == "POST" && r.Headers[authHeader] == auth && r.Headers["Content-Type"].StartsWith("application/json", StringComparison.Ordinal));
        var bodies = sent.Select(r => r.Json.AsObject()).ToList();
        Statuses(bodies, contextField, "onward/build").ShouldBe(["pending", "success"], "in the order things happened");
        Statuses(bodies, contextField, "onward/deploy/dev").ShouldBe([deploying, verified]);
        var deployment = (await onward.Api.DeploymentsAsync("shop", "dev")).Single();
        bodies.Last(b => b[contextField]!.GetValue<string>() == "onward/deploy/dev")["target_url"]!.GetValue<string>()
            .ShouldBe($"http://127.0.0.1:{port}/deployments/{deployment.Id}");
        bodies.ShouldAllBe(b => b["description"]!.GetValue<string>().Length <= 140);
        if (host == "github")
        {
            sent.ShouldAllBe(r => r.Headers["Accept"] == "application/vnd.github+json" && r.Headers["X-GitHub-Api-Version"] == "2022-11-28");
        }
        // The host has the last status a moment before its delivery is recorded as sent (after its answer).
        var deliveries = await Eventually.WaitAsync(async () => await onward.Api.GetAsync<NotificationDeliveryResponse[]>("api/v1/notifications/deliveries?sink=report:shop")
            is { Length: 4 } all && all.All(d => d.State == "sent") ? all : null, "the four deliveries to be recorded as sent");
        deliveries.ShouldAllBe(d => d.Attempts == 1 && d.LastStatus == 200);
        (await onward.Api.Http.GetStringAsync("api/v1/notifications/deliveries")).ShouldNotContain("the-token");
    }

    private static List<string> Statuses(List<JsonObject> bodies, string contextField, string context) =>
        bodies.Where(b => b[contextField]!.GetValue<string>() == context).Select(b => b["state"]!.GetValue<string>()).ToList();
}
