using System.Net;
using System.Net.Http.Json;
using Onward.Contracts.Deployments;
using Onward.Contracts.Problems;
using Onward.Contracts.Webhooks;
using Onward.Testing;

namespace Onward.Server.Tests.Pipeline;

/// <summary>Forward-only rests on git ancestry (rule 5 of docs/ARCHITECTURE.md), tested with real histories.</summary>
public class ForwardOnlyTests
{
    private static string Yaml(int port, string repository, string extra = "") => TestConfig.Yaml(port,
        [TestConfig.AutoEnvironment("dev-1"), TestConfig.ManualEnvironment("prod")],
        [SampleService.ServiceYaml("shop", repository)], extra);

    private static Task<(HttpStatusCode Status, ProblemResponse? Problem, DeploymentResponse? Deployment)> RequestAsync(
        OnwardHost onward, string environment, string version, string? overrideReason = null) =>
        onward.Api.RequestAsync("shop", environment, version, overrideReason);

    [Fact]
    public async Task A_force_push_that_rewrites_main_is_blocked_where_the_old_head_runs()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var a = await repo.CommitAsync("a");
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(Ports.Free(), repo.Path));
        await onward.Api.FinishedDeploymentAsync("shop", "dev-1", a);
        var b = await repo.CommitAsync("b");
        (await onward.Api.FinishedDeploymentAsync("shop", "dev-1", b)).State.ShouldBe(DeploymentState.Succeeded);

        await repo.RunAsync("reset", "--quiet", "--hard", a);
        var rewritten = await repo.CommitAsync("c, pushed with --force");
        var blocked = await onward.Api.FinishedDeploymentAsync("shop", "dev-1", rewritten);

        blocked.State.ShouldBe(DeploymentState.Blocked);
        blocked.Reason.ShouldBe($"forward-only: {rewritten[..7]} does not descend from dev-1's current commit {b[..7]}; their histories diverged after {a[..7]} (a force push or another branch)");
        (await onward.Api.ServiceAsync("shop")).Environments.Single(e => e.Name == "dev-1").Current!.Commit.ShouldBe(b);
    }

    [Fact]
    public async Task A_merge_commit_descends_from_both_parents_and_goes_forward()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var root = await repo.CommitAsync("root");
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(Ports.Free(), repo.Path));
        await onward.Api.FinishedDeploymentAsync("shop", "dev-1", root);
        await repo.RunAsync("checkout", "--quiet", "-b", "feature");
        await repo.RunAsync("-c", "user.name=Test", "-c", "user.email=test@onward.invalid", "commit", "--quiet", "--allow-empty", "-m", "feature work");
        await repo.RunAsync("checkout", "--quiet", "main");
        var mainline = await repo.CommitAsync("main work");
        await onward.Api.FinishedDeploymentAsync("shop", "dev-1", mainline);
        await RequestAsync(onward, "prod", mainline[..7]);
        (await onward.Api.FinishedDeploymentAsync("shop", "prod", mainline)).State.ShouldBe(DeploymentState.Succeeded);

        await repo.RunAsync("-c", "user.name=Test", "-c", "user.email=test@onward.invalid", "merge", "--quiet", "--no-ff", "-m", "merge feature", "feature");
        var merge = await repo.HeadAsync();
        (await onward.Api.FinishedDeploymentAsync("shop", "dev-1", merge)).State.ShouldBe(DeploymentState.Succeeded);
        var (status, _, _) = await RequestAsync(onward, "prod", merge[..7]);

        status.ShouldBe(HttpStatusCode.Accepted);
        (await onward.Api.FinishedDeploymentAsync("shop", "prod", merge)).State.ShouldBe(DeploymentState.Succeeded);
    }

    [Fact]
    public async Task A_version_tag_on_a_release_branch_that_prod_is_ahead_of_is_refused_unless_an_admin_overrides()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var base1 = await repo.CommitAsync("1.0 base");
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(Ports.Free(), repo.Path));
        await onward.Api.FinishedDeploymentAsync("shop", "dev-1", base1);
        var ahead = await repo.CommitAsync("main moves on");
        await onward.Api.FinishedDeploymentAsync("shop", "dev-1", ahead);
        await RequestAsync(onward, "prod", ahead[..7]);
        await onward.Api.FinishedDeploymentAsync("shop", "prod", ahead);

        await repo.RunAsync("checkout", "--quiet", "-b", "release-1.0", base1);
        var fix = await repo.CommitAsync("hotfix on the release branch");
        await repo.TagAsync("1.0.1");
        await repo.RunAsync("checkout", "--quiet", "main");
        await Eventually.WaitAsync(async () => (await onward.Api.ReleasesAsync("shop")).Any(r => r.Version == "1.0.1" && r.State == "Built"), "release 1.0.1");
        var (status, problem, _) = await RequestAsync(onward, "prod", "1.0.1");

        status.ShouldBe(HttpStatusCode.Conflict);
        problem!.Detail!.ShouldStartWith($"forward-only: {fix[..7]} does not descend from prod's current commit {ahead[..7]}; their histories diverged after {base1[..7]}");
        (await onward.Api.DeploymentAsync(problem.DeploymentId!.Value)).State.ShouldBe(DeploymentState.Blocked);

        var (overridden, _, deployment) = await RequestAsync(onward, "prod", "1.0.1", "hotfix for incident 4711, main is not releasable");
        overridden.ShouldBe(HttpStatusCode.Accepted);
        var done = await Eventually.WaitAsync(async () =>
        {
            var d = await onward.Api.DeploymentAsync(deployment!.Id);
            return d.State is DeploymentState.Succeeded or DeploymentState.Failed or DeploymentState.Blocked ? d : null;
        }, "the overriding deployment to end");
        done.State.ShouldBe(DeploymentState.Succeeded);
        done.Override.ShouldBe("hotfix for incident 4711, main is not releasable");
        done.Events[0].Message.ShouldContain("policies overridden: hotfix for incident 4711");
    }

    [Fact]
    public async Task Forward_only_can_be_turned_off_per_environment()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var older = await repo.CommitAsync("older");
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            [TestConfig.AutoEnvironment("dev-1"), TestConfig.ManualEnvironment("sandbox", "{ forwardOnly: false }")],
            [SampleService.ServiceYaml("shop", repo.Path)]));
        await onward.Api.FinishedDeploymentAsync("shop", "dev-1", older);
        var newer = await repo.CommitAsync("newer");
        await onward.Api.FinishedDeploymentAsync("shop", "dev-1", newer);
        await RequestAsync(onward, "sandbox", newer[..7]);
        await onward.Api.FinishedDeploymentAsync("shop", "sandbox", newer);

        var (status, _, _) = await RequestAsync(onward, "sandbox", older[..7]);

        status.ShouldBe(HttpStatusCode.Accepted);
        (await onward.Api.FinishedDeploymentAsync("shop", "sandbox", older)).State.ShouldBe(DeploymentState.Succeeded);
    }

    [Fact]
    public async Task A_tag_moved_to_another_commit_keeps_its_first_release_and_says_so()
    {
        const string secret = "s3cret";
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var first = await repo.CommitAsync("first");
        await repo.TagAsync("2.0.0");
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(Ports.Free(), repo.Path, $"webhooks: {{ github: {{ secret: {secret} }} }}"));
        var sender = new WebhookSender(onward.Api.Http, secret);
        await sender.GitHubAsync("push", Payloads.GitHubPush(repo.Path, "refs/tags/2.0.0", "0000000000000000000000000000000000000000", first));
        await Eventually.WaitAsync(async () => (await onward.Api.ReleasesAsync("shop")).Any(r => r.Version == "2.0.0"), "release 2.0.0");

        var second = await repo.CommitAsync("second");
        await repo.RunAsync("tag", "--force", "2.0.0");
        var moved = await sender.GitHubAsync("push", Payloads.GitHubPush(repo.Path, "refs/tags/2.0.0", first, second, forced: true));
        var id = (await moved.Content.ReadFromJsonAsync<WebhookAnswer>(OnwardApi.Json))!.Id!.Value;
        var delivery = await Eventually.WaitAsync(async () => (await onward.Api.GetAsync<DeliveryResponse[]>("api/v1/webhooks/deliveries"))
            .FirstOrDefault(d => d.Id == id && d.Action == "ignore"), "the moved tag's delivery to be processed");

        delivery.Reason.ShouldContain($"2.0.0 was released from {first[..7]} before; the tag now points at {second[..7]}, which is not released again");
        (await onward.Api.ReleasesAsync("shop")).Single(r => r.Version == "2.0.0").Commit.ShouldBe(first);
    }
}
