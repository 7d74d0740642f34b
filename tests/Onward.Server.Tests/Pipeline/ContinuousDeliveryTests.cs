using System.Net.Http.Json;
using Onward.Contracts.Deployments;
using Onward.Testing;

namespace Onward.Server.Tests.Pipeline;

public class ContinuousDeliveryTests
{
    private static string Yaml(int port, string repository, string verifyTimeout = "20s") => TestConfig.Yaml(port,
        [TestConfig.AutoEnvironment("dev-1"), TestConfig.AutoEnvironment("dev-2"), TestConfig.ManualEnvironment("prod", "{ requires: [dev-1, dev-2] }")],
        [SampleService.ServiceYaml("shop", repository, verifyTimeout: verifyTimeout)]);

    [Fact]
    public async Task A_push_becomes_a_release_that_is_built_deployed_to_both_dev_environments_and_verified()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var commit = await repo.CommitAsync("first");
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(Ports.Free(), repo.Path));

        var release = await onward.Api.BuiltReleaseAsync("shop", commit);
        release.State.ShouldBe("Built");
        release.Version.ShouldBe(commit[..7]);
        release.RefKind.ShouldBe("branch");
        release.Ref.ShouldBe("main");
        Directory.Exists(release.Artifact).ShouldBeTrue();
        release.Artifact!.ShouldEndWith(commit);

        foreach (var environment in new[] { "dev-1", "dev-2" })
        {
            var deployment = await onward.Api.FinishedDeploymentAsync("shop", environment, commit);
            deployment.State.ShouldBe(DeploymentState.Succeeded);
            deployment.Trigger.ShouldBe("auto");
            deployment.RequestedBy.ShouldBe("onward");
            deployment.Events.Transitions().Select(e => e.State).ShouldBe([DeploymentState.Queued, DeploymentState.Applying, DeploymentState.Verifying, DeploymentState.Succeeded]);
            deployment.Events[^1].Message.ShouldContain("answered 200 OK");
        }
        var service = await onward.Api.ServiceAsync("shop");
        foreach (var environment in service.Environments.Where(e => e.Name.StartsWith("dev", StringComparison.Ordinal)))
        {
            environment.Current!.Commit.ShouldBe(commit);
            (await OnwardApi.AnswerAsync(environment.Url + "/")).ShouldBe($"{commit[..7]} in {environment.Name}");
        }
        var prod = service.Environments.Single(e => e.Name == "prod");
        prod.Current.ShouldBeNull();
        prod.Last.ShouldBeNull();
        var log = await onward.Api.Http.GetStringAsync($"api/v1/releases/{release.Id}/log");
        log.ShouldContain($"Building shop {commit[..7]} at {commit}");
    }

    [Fact]
    public async Task A_crashing_release_is_caught_with_a_diagnosis_and_the_previous_one_keeps_answering_on_the_environment_port()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var good = await repo.CommitAsync("good");
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(Ports.Free(), repo.Path));
        (await onward.Api.FinishedDeploymentAsync("shop", "dev-1", good)).State.ShouldBe(DeploymentState.Succeeded);
        var url = (await onward.Api.ServiceAsync("shop")).Environments.Single(e => e.Name == "dev-1").Url;

        await repo.BehaveAsync("crash");
        var bad = await repo.CommitAsync("crashes on start");
        var failed = await onward.Api.FinishedDeploymentAsync("shop", "dev-1", bad);

        failed.State.ShouldBe(DeploymentState.Failed);
        failed.Reason.ShouldStartWith($"shop {bad[..7]} exited with code 3");
        failed.Diagnosis.ShouldNotBeNull();
        failed.Diagnosis.ShouldContain("process:       exited with code 3");
        failed.Diagnosis.ShouldContain("waited for:    GET http://127.0.0.1:");
        failed.Diagnosis.ShouldContain("last 50 lines of output:");
        failed.Diagnosis.ShouldContain("fatal: the configuration value 'Database' is missing");
        failed.Events.Single(e => e.State == DeploymentState.Failed && e.Message.StartsWith("shop", StringComparison.Ordinal)).Message.ShouldEndWith($"; restoring {good[..7]}");
        var restored = await onward.Api.RestoredAsync(failed.Id);
        restored.Restore.ShouldBe("done");
        var keptServing = $"{good[..7]} kept serving";
        restored.Events.ShouldContain(e => e.Message.Contains(keptServing, StringComparison.Ordinal));
        restored.Events[^1].Message.ShouldStartWith($"restored {good[..7]}: GET http://127.0.0.1:");
        (await OnwardApi.AnswerAsync(url + "/")).ShouldBe($"{good[..7]} in dev-1");
        (await onward.Api.ServiceAsync("shop")).Environments.Single(e => e.Name == "dev-1").Current!.Commit.ShouldBe(good);
    }

    [Fact]
    public async Task A_release_that_never_becomes_healthy_fails_when_its_verify_timeout_runs_out()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("unhealthy");
        var commit = await repo.CommitAsync("never ready");
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(Ports.Free(), repo.Path, verifyTimeout: "2s"));

        var failed = await onward.Api.FinishedDeploymentAsync("shop", "dev-1", commit);

        failed.State.ShouldBe(DeploymentState.Failed);
        failed.Reason.ShouldBe($"shop {commit[..7]} did not become healthy within 2s; last answer: 503 Service Unavailable: \"starting\"");
        failed.Diagnosis!.ShouldContain("never healthy within 2s");
        failed.Events[^1].Message.ShouldContain("there is no earlier release to restore; the failed one was stopped");
    }

    [Fact]
    public async Task A_newer_commit_replaces_the_current_release_and_the_old_process_is_stopped()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var first = await repo.CommitAsync("first");
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(Ports.Free(), repo.Path));
        var firstDeployment = await onward.Api.FinishedDeploymentAsync("shop", "dev-1", first);
        var firstPid = int.Parse(File.ReadAllText(Path.Combine(onward.Config.Server.DataDir, "instances", firstDeployment.Id.ToString(), "pid")).Split(' ')[0]);

        var second = await repo.CommitAsync("second");
        (await onward.Api.FinishedDeploymentAsync("shop", "dev-1", second)).State.ShouldBe(DeploymentState.Succeeded);

        var url = (await onward.Api.ServiceAsync("shop")).Environments.Single(e => e.Name == "dev-1").Url;
        (await OnwardApi.AnswerAsync(url + "/")).ShouldBe($"{second[..7]} in dev-1");
        await Eventually.WaitAsync(() => Task.FromResult(!Directory.Exists($"/proc/{firstPid}")), "the first release's process to stop", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_manual_request_reaches_prod_after_dev_and_an_older_commit_is_blocked_by_forward_only()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var older = await repo.CommitAsync("older");
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(Ports.Free(), repo.Path));
        await onward.Api.FinishedDeploymentAsync("shop", "dev-2", older);
        var newer = await repo.CommitAsync("newer");
        await onward.Api.FinishedDeploymentAsync("shop", "dev-1", newer);
        await onward.Api.FinishedDeploymentAsync("shop", "dev-2", newer);

        var accepted = await onward.Api.Http.PostAsJsonAsync("api/v1/deployments",
            new DeploymentRequestBody("shop", "prod", newer[..7], null, "ship it", null));
        accepted.StatusCode.ShouldBe(System.Net.HttpStatusCode.Accepted);
        var requested = (await accepted.Content.ReadFromJsonAsync<DeploymentResponse>(OnwardApi.Json))!;
        requested.Trigger.ShouldBe("manual");
        requested.RequestedBy.ShouldBe("anonymous");
        requested.Reason.ShouldBe("ship it");
        (await onward.Api.FinishedDeploymentAsync("shop", "prod", newer)).State.ShouldBe(DeploymentState.Succeeded);

        var refused = await onward.Api.Http.PostAsJsonAsync("api/v1/deployments",
            new DeploymentRequestBody("shop", "prod", null, older, null, null));

        refused.StatusCode.ShouldBe(System.Net.HttpStatusCode.Conflict);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await refused.Content.ReadFromJsonAsync<Onward.Contracts.Problems.ProblemResponse>(OnwardApi.Json);
        problem!.Detail!.ShouldContain($"forward-only: {older[..7]} is older than prod's current commit {newer[..7]}");
        problem.DeploymentId.ShouldNotBeNull();
        var blocked = await onward.Api.DeploymentAsync(problem.DeploymentId!.Value);
        blocked.State.ShouldBe(DeploymentState.Blocked);
        blocked.Events.Single().State.ShouldBe(DeploymentState.Blocked);
    }

    [Fact]
    public async Task Prod_refuses_a_release_that_has_not_succeeded_in_every_required_environment()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("crash");
        var commit = await repo.CommitAsync("broken");
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(Ports.Free(), repo.Path));
        await onward.Api.FinishedDeploymentAsync("shop", "dev-1", commit);

        var refused = await onward.Api.Http.PostAsJsonAsync("api/v1/deployments",
            new DeploymentRequestBody("shop", "prod", commit[..7], null, null, null));

        refused.StatusCode.ShouldBe(System.Net.HttpStatusCode.Conflict);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("has not succeeded in dev-1, dev-2 yet, which prod requires first");
    }
}
