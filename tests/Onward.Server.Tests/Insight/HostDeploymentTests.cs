using Onward.Contracts.Deployments;
using System.Text.Json.Nodes;
using System.Net;
using Onward.Contracts.Notifications;
using Onward.Server.Tests.Production;
using Onward.Testing;

namespace Onward.Server.Tests.Insight;

/// <summary>
/// Issue 16.2: each deployment is also a deployment on the git host — a GitHub Deployment with its deployment statuses,
/// a GitLab deployment updated through the deployments API — checked by a local server that answers as the hosts
/// document, refuses what they refuse and keeps what it was told.
/// </summary>
public class HostDeploymentTests
{
    [Theory]
    [InlineData("github")]
    [InlineData("gitlab")]
    public async Task Each_deployment_is_a_deployment_on_the_git_host_whose_states_follow_it_in_order(string host)
    {
        await using var api = await HookReceiver.StartAsync();
        var fake = new FakeGitHostDeployments(api, host, "the-token");
        var deployments = host == "github" ? "/api/repos/acme/shop/deployments" : "/api/projects/acme%2Fshop/deployments";
        // The host is down for the first four deployments it is asked to make (from 200 ms apart, doubling): each is
        // made again later, and the states after it wait behind it.
        api.Answer(deployments, 503, 503, 503, 503);
        var report = Report(api, host, "the-token", ", backoff: 200ms");
        await using var setup = await ProductionSetup.StartAsync("{ approval: { required: 1, approvers: [release-managers] } }", "ok", "first", serviceExtra: report);
        var (repo, team, first) = (setup.Repo, setup.Team, setup.FirstCommit);
        await team["vera"].FinishedDeploymentAsync("shop", "dev-1", first);
        await team["vera"].FinishedDeploymentAsync("shop", "dev-2", first);
        var (status, problem, older) = await team["alice"].RequestAsync("shop", "prod", first[..7], reason: "ship it");
        status.ShouldBe(HttpStatusCode.Accepted, problem?.Detail);
        older!.State.ShouldBe(DeploymentState.AwaitingApproval);

        var second = await repo.CommitAsync("second");
        await team["vera"].FinishedDeploymentAsync("shop", "dev-1", second);
        await team["vera"].FinishedDeploymentAsync("shop", "dev-2", second);
        var (newerStatus, newerProblem, newer) = await team["alice"].RequestAsync("shop", "prod", second[..7], reason: "ship the newer one");
        newerStatus.ShouldBe(HttpStatusCode.Accepted, newerProblem?.Detail);
        (await team["vera"].DeploymentAsync(older.Id)).State.ShouldBe(DeploymentState.Superseded);
        var (approved, approvedProblem, _) = await team["bob"].DecideAsync(newer!.Id);
        approved.ShouldBe(HttpStatusCode.OK, approvedProblem?.Detail);
        (await team["vera"].FinishedDeploymentAsync("shop", "prod", second)).State.ShouldBe(DeploymentState.Succeeded);

        var developed = host == "github" ? new[] { "in_progress", "success" } : ["running", "success"];
        List<FakeGitHostDeployments.Made> made = [];
        try
        {
            // Every deployment at its last state: a creation the host was down for is made again later than others.
            await Eventually.WaitAsync(() => Task.FromResult((made = [.. fake.Deployments]).Count == (host == "github" ? 6 : 5)
                && made.All(m => m.States.Count > 0 && m.States[^1] is "success" or "inactive" or "canceled")),
                "the host to know every deployment");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}: {string.Join("; ", made.Select(m => $"{m.Environment} {m.Sha[..7]} [{string.Join(", ", m.States)}]"))}"
                + $"; refused: {string.Join("; ", fake.Refusals)}", e);
        }
        foreach (var environment in new[] { "dev-1", "dev-2" })
        {
            made.Where(m => m.Environment == environment).Select(Told).ShouldBe(
                [$"{first} {string.Join(",", developed)}", $"{second} {string.Join(",", developed)}"], ignoreOrder: true,
                "one deployment per commit, its states in the order they happened");
        }
        var prod = made.Where(m => m.Environment == "prod").ToList();
        if (host == "github")
        {
            prod.Select(Told).ShouldBe([$"{first} queued,inactive", $"{second} queued,in_progress,success"], ignoreOrder: true,
                "waiting for approval, superseded; then approved and verified");
            prod.Single(m => m.Sha == second).Payload.ShouldBe(
                new JsonObject { ["onward"] = new JsonObject { ["deployment"] = newer.Id, ["release"] = newer.Release.Id, ["version"] = second[..7] } }.ToJsonString());
        }
        else
        {
            var only = prod.ShouldHaveSingleItem("GitLab makes none that waits for an approval");
            only.Sha.ShouldBe(second);
            only.States.ShouldBe(["running", "success"]);
            made.ShouldAllBe(m => m.Ref == "main" && m.Tag == false);
        }
        fake.Refusals.ShouldBeEmpty();

        // The host has the last state a moment before its delivery is recorded as sent (after the answer).
        var sink = await Eventually.WaitAsync(async () => (await DeliveriesAsync(setup, "deployments:shop")) is var all && all.All(d => d.State == "sent") ? all : null,
            "every delivery to the host to be recorded as sent");
        sink.Sum(d => d.Attempts - 1).ShouldBe(4, "each deployment the host was down for made again, once per 503");
        var statuses = api.At((host == "github" ? "/api/repos/acme/shop/statuses/" : "/api/projects/acme%2Fshop/statuses/") + first)
            .Select(r => r.Json.AsObject()).Where(b => b[host == "github" ? "context" : "name"]!.GetValue<string>() == "onward/deploy/prod")
            .Select(b => b["state"]!.GetValue<string>()).ToList();
        statuses.ShouldBe(["pending", host == "github" ? "error" : "canceled"], "the superseded request's commit status does not stay pending");
        (await team["vera"].Http.GetStringAsync("api/v1/notifications/deliveries?limit=100")).ShouldNotContain("the-token");
    }

    [Theory]
    [InlineData("github")]
    [InlineData("gitlab")]
    public async Task A_deployment_the_host_made_while_its_answer_was_lost_is_found_there_and_not_made_twice(string host)
    {
        await using var api = await HookReceiver.StartAsync();
        var fake = new FakeGitHostDeployments(api, host, "the-token");
        // The host makes the first two deployments asked for (dev-1's and dev-2's) and a proxy answers 502 for both.
        fake.LoseAnswers(2);
        var report = Report(api, host, "the-token", ", backoff: 200ms");
        await using var setup = await ProductionSetup.StartAsync("{}", "ok", "first", serviceExtra: report);
        (await setup.Team["vera"].FinishedDeploymentAsync("shop", "dev-1", setup.FirstCommit)).State.ShouldBe(DeploymentState.Succeeded);
        (await setup.Team["vera"].FinishedDeploymentAsync("shop", "dev-2", setup.FirstCommit)).State.ShouldBe(DeploymentState.Succeeded);

        var deliveries = await Eventually.WaitAsync(async () => (await DeliveriesAsync(setup, "deployments:shop")) is { Length: 4 } all && all.All(d => d.State == "sent") ? all : null,
            "the four deliveries to be sent");
        var made = fake.Deployments;
        made.Select(m => m.Environment).ShouldBe(["dev-1", "dev-2"], ignoreOrder: true, "one deployment on the host for each, though the answers that made them were lost");
        made.ShouldAllBe(m => m.Sha == setup.FirstCommit);
        foreach (var deployment in made)
        {
            deployment.States.ShouldBe(host == "github" ? ["in_progress", "success"] : ["running", "success"], $"{deployment.Environment}: each state once, in order");
        }
        fake.Lookups.ShouldBe(2, "looked for on the host once for each lost answer");
        deliveries.Count(d => d.Attempts == 2).ShouldBe(2, "each lost answer tried again once");
        fake.Refusals.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_token_the_host_refuses_is_recorded_without_the_token_and_blocks_no_deployment()
    {
        await using var api = await HookReceiver.StartAsync();
        var fake = new FakeGitHostDeployments(api, "github", "the-right-token");
        var report = Report(api, "github", "a-wrong-token");
        await using var setup = await ProductionSetup.StartAsync("{}", "ok", "first", serviceExtra: report);
        (await setup.Team["vera"].FinishedDeploymentAsync("shop", "dev-1", setup.FirstCommit)).State.ShouldBe(DeploymentState.Succeeded);

        var refused = await Eventually.WaitAsync(async () => (await DeliveriesAsync(setup, "deployments:shop")) is var all && all.Count(d => d.State == "failed") >= 2 ? all : null,
            "the host's refusals to be recorded");
        refused.Where(d => d.State == "failed").ShouldAllBe(d => d.LastStatus == 401 && d.Attempts == 1 && d.LastError!.Contains("Bad credentials") && d.LastError.Contains("not tried again"));
        fake.Deployments.ShouldBeEmpty();
        (await setup.Team["vera"].Http.GetStringAsync("api/v1/notifications/deliveries?limit=100")).ShouldNotContain("a-wrong-token");
    }

    /// <summary>The service's <c>report</c> to the fake host under <c>/api</c>, as a line of its YAML.</summary>
    private static string Report(HookReceiver api, string host, string token, string more = "") =>
        $"\n    report: {{ {host}: {{ token: {token}, apiUrl: \"{api.Url("/api")}\", repository: acme/shop }}{more} }}";

    private static string Told(FakeGitHostDeployments.Made made) => $"{made.Sha} {string.Join(",", made.States)}";

    private static async Task<NotificationDeliveryResponse[]> DeliveriesAsync(ProductionSetup setup, string sink) =>
        await setup.Team["root"].GetAsync<NotificationDeliveryResponse[]>($"api/v1/notifications/deliveries?sink={Uri.EscapeDataString(sink)}&limit=100");
}
