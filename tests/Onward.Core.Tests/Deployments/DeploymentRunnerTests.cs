using Onward.Contracts.Deployments;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;
using Onward.Testing.Fakes;

namespace Onward.Core.Tests.Deployments;

/// <summary>The deployment state machine through the fakes of its ports: every decision, no server, no processes.</summary>
public class DeploymentRunnerTests
{
    internal const string Yaml = """
        environments:
          dev: { target: { local: {} }, policy: { autoDeploy: main } }
          staging: { target: { local: {} }, policy: { autoDeploy: main } }
          prod: { target: { local: {} }, policy: { requires: [dev, staging], autoPromote: releaseCandidates } }
          halt: { target: { local: {} }, policy: { onFailure: halt } }
        services:
          shop:
            repository: https://git.example/shop.git
            build: { command: { run: make } }
            deploy: { local: { command: run, healthUrl: "http://127.0.0.1:{port}/" } }
        """;

    [Fact]
    public async Task A_queued_deployment_is_applied_verified_and_becomes_the_environments_current_one()
    {
        var pipeline = new CorePipeline(Yaml);
        var root = pipeline.Source.Commit(null);
        pipeline.Releases.AddBuilt("shop", root[..7], root);
        var request = await pipeline.RequestAsync("dev", root[..7]);

        var result = await pipeline.RunAsync(request.Deployment!.Id);

        result.ShouldBeOfType<StepResult.Succeeded>();
        (await pipeline.Deployments.CurrentAsync("shop", "dev", CancellationToken.None))!.Id.ShouldBe(request.Deployment.Id);
        pipeline.Deployments.EventsOf(request.Deployment.Id).Select(e => e.State).ShouldBe(
            [DeploymentState.Queued, DeploymentState.Applying, DeploymentState.Verifying, DeploymentState.Succeeded]);
        pipeline.Target.Calls.ShouldBe([$"apply {root[..7]}", $"verify {root[..7]}", $"promote {root[..7]}"]);
    }

    [Fact]
    public async Task A_failed_rollout_is_recorded_at_once_and_the_previous_release_is_restored_by_the_next_steps()
    {
        var pipeline = new CorePipeline(Yaml);
        var good = pipeline.Source.Commit(null);
        var bad = pipeline.Source.Commit(good);
        pipeline.Releases.AddBuilt("shop", good[..7], good);
        pipeline.Releases.AddBuilt("shop", bad[..7], bad);
        await pipeline.RunAsync((await pipeline.RequestAsync("dev", good[..7])).Deployment!.Id);
        pipeline.Target.Verdicts[bad[..7]] = StepResult.Fail("exited with code 3", "last lines");
        var failing = (await pipeline.RequestAsync("dev", bad[..7])).Deployment!;

        var result = await pipeline.RunAsync(failing.Id);

        var after = (await pipeline.Deployments.GetAsync(failing.Id, CancellationToken.None))!;
        after.State.ShouldBe(DeploymentState.Failed);
        after.Reason.ShouldBe("exited with code 3");
        after.Diagnosis.ShouldBe("last lines");
        after.RestoreState.ShouldBe(RestoreState.Done);
        result.ShouldBeOfType<StepResult.Succeeded>();
        pipeline.Target.Calls.ShouldContain($"restore {good[..7]}");
        (await pipeline.Deployments.CurrentAsync("shop", "dev", CancellationToken.None))!.Version.ShouldBe(good[..7], "the current release stays the last one that succeeded");
    }

    [Fact]
    public async Task With_halt_a_failure_is_reported_and_nothing_else_is_done()
    {
        var pipeline = new CorePipeline(Yaml);
        var commit = pipeline.Source.Commit(null);
        pipeline.Releases.AddBuilt("shop", commit[..7], commit);
        pipeline.Target.Verdicts[commit[..7]] = StepResult.Fail("never healthy");

        await pipeline.RunAsync((await pipeline.RequestAsync("halt", commit[..7])).Deployment!.Id);

        pipeline.Deployments.All.Single().State.ShouldBe(DeploymentState.Failed);
        pipeline.Deployments.EventsOf(1)[^1].Message.ShouldBe("never healthy; onFailure is halt, nothing else was done");
        pipeline.Target.Calls.ShouldNotContain(c => c.StartsWith("restore", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_forward_only_check_is_made_again_when_applying_so_a_race_cannot_move_an_environment_back()
    {
        var pipeline = new CorePipeline(Yaml);
        var first = pipeline.Source.Commit(null);
        var second = pipeline.Source.Commit(first);
        var third = pipeline.Source.Commit(second);
        foreach (var commit in new[] { first, second, third })
        {
            pipeline.Releases.AddBuilt("shop", commit[..7], commit);
        }
        await pipeline.RunAsync((await pipeline.RequestAsync("dev", first[..7])).Deployment!.Id);
        var queued = (await pipeline.RequestAsync("dev", second[..7])).Deployment!;
        queued.State.ShouldBe(DeploymentState.Queued, "a step forward when it was asked for");
        // Meanwhile the environment moved on past it (another server applied the third commit).
        await pipeline.Deployments.AddAsync(new NewDeployment("shop", "dev", 3, DeploymentState.Succeeded, "applied elsewhere", "onward", DeploymentTrigger.Auto, null),
            pipeline.Clock.GetUtcNow().AddSeconds(1), CancellationToken.None);

        await pipeline.RunAsync(queued.Id);

        var blocked = (await pipeline.Deployments.GetAsync(queued.Id, CancellationToken.None))!;
        blocked.State.ShouldBe(DeploymentState.Blocked);
        blocked.Reason!.ShouldStartWith($"forward-only: {second[..7]} is older than dev's current commit {third[..7]}");
        pipeline.Target.Calls.ShouldNotContain($"apply {second[..7]}");
    }

    [Fact]
    public async Task A_deployment_waits_while_another_one_holds_its_environment()
    {
        var pipeline = new CorePipeline(Yaml);
        var first = pipeline.Source.Commit(null);
        var second = pipeline.Source.Commit(first);
        pipeline.Releases.AddBuilt("shop", first[..7], first);
        pipeline.Releases.AddBuilt("shop", second[..7], second);
        pipeline.Target.Verdicts[first[..7]] = StepResult.Wait(TimeSpan.FromSeconds(1), "starting");
        var holding = (await pipeline.RequestAsync("dev", first[..7])).Deployment!;
        (await pipeline.RunAsync(holding.Id)).ShouldBeOfType<StepResult.Pending>();
        var waiting = await pipeline.Requests.RequestAsync(new DeploymentRequest("shop", "dev", second[..7], null, null, null, "onward", DeploymentTrigger.Auto), CancellationToken.None);

        var result = await pipeline.RunAsync(waiting.Deployment!.Id);

        result.ShouldBeOfType<StepResult.Pending>();
        (await pipeline.Deployments.GetAsync(waiting.Deployment.Id, CancellationToken.None))!.State.ShouldBe(DeploymentState.Queued);
        pipeline.Target.Verdicts.Remove(first[..7]);
        await pipeline.RunAsync(holding.Id);
        (await pipeline.RunAsync(waiting.Deployment.Id)).ShouldBeOfType<StepResult.Succeeded>();
    }
}
