using Microsoft.Extensions.Logging.Abstractions;
using Onward.Contracts.Deployments;
using Onward.Core.Deployments;
using Onward.Core.Drift;
using Onward.Testing.Fakes;

namespace Onward.Core.Tests.Drift;

/// <summary>Drift is told in the current deployment's timeline when it appears, when it changes and when it is gone, and healed where asked.</summary>
public class DriftChecksTests
{
    private const string Yaml = """
        environments:
          dev: { target: { local: {} }, policy: { autoDeploy: main } }
        services:
          shop:
            repository: https://git.example/shop.git
            build: { command: { run: make } }
            deploy: { local: { command: run, healthUrl: "http://127.0.0.1:{port}/" } }
        """;

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Drift_is_told_once_while_it_stays_the_same_again_when_it_changes_and_when_it_is_gone()
    {
        var (pipeline, checks, store, current) = await SetupAsync(Yaml);
        var replicas = new DriftDifference("Deployment/web", "spec.replicas", "2", "5");

        pipeline.Target.Drift = [replicas];
        var first = await checks.CheckAsync("shop", "dev", None);
        await checks.CheckAsync("shop", "dev", None);
        pipeline.Target.Drift = [replicas, new DriftDifference("Service/web", "spec.ports", "80", "81")];
        var changed = await checks.CheckAsync("shop", "dev", None);
        pipeline.Target.Drift = [];
        var gone = await checks.CheckAsync("shop", "dev", None);

        first.ShouldNotBeNull().Count.ShouldBe(1);
        changed.ShouldNotBeNull().Since.ShouldBe(first.Since, "the same deployment drifted since then");
        gone.ShouldBeNull();
        (await store.GetAsync("shop", "dev", None)).ShouldBeNull();
        pipeline.Deployments.EventsOf(current.Id).Select(e => e.Message).Where(m => m.Contains("drift", StringComparison.Ordinal)).ShouldBe([
            "drift: 1 difference from what was applied: Deployment/web: spec.replicas is 5, applied 2",
            "drift: 2 differences from what was applied: Deployment/web: spec.replicas is 5, applied 2; Service/web: spec.ports is 81, applied 80",
            "no drift any more: the environment matches what was applied",
        ]);
    }

    [Fact]
    public async Task With_self_heal_the_release_is_applied_again_and_a_target_that_cannot_tell_changes_nothing()
    {
        var (pipeline, checks, store, current) = await SetupAsync(Yaml.Replace("healthUrl: \"http://127.0.0.1:{port}/\" } }", "healthUrl: \"http://127.0.0.1:{port}/\" }, selfHeal: true }", StringComparison.Ordinal));
        pipeline.Target.Drift = null;
        (await checks.CheckAsync("shop", "dev", None)).ShouldBeNull();
        (await store.ListAsync(None)).ShouldBeEmpty();

        pipeline.Target.Drift = [new DriftDifference("Deployment/web", "spec.replicas", "2", "5")];
        await checks.CheckAsync("shop", "dev", None);

        pipeline.Target.Calls.ShouldContain($"heal {current.Version}");
        pipeline.Deployments.EventsOf(current.Id)[^1].Message.ShouldBe($"self-heal: applied {current.Version} again");
    }

    private static async Task<(CorePipeline Pipeline, DriftChecks Checks, FakeDriftStore Store, Deployment Current)> SetupAsync(string yaml)
    {
        var pipeline = new CorePipeline(yaml);
        var commit = pipeline.Source.Commit(null);
        var release = pipeline.Releases.AddBuilt("shop", commit[..7], commit);
        var now = pipeline.Clock.GetUtcNow();
        var d = await pipeline.Deployments.AddAsync(new NewDeployment("shop", "dev", release.Id, DeploymentState.Queued, null, "dave", DeploymentTrigger.Manual, null), now, None);
        await pipeline.Deployments.TransitionAsync(d.Id, new Transition(DeploymentState.Queued, DeploymentState.Applying, "onward", "a"), now, None);
        await pipeline.Deployments.TransitionAsync(d.Id, new Transition(DeploymentState.Applying, DeploymentState.Succeeded, "onward", "b"), now, None);
        var store = new FakeDriftStore();
        return (pipeline, new DriftChecks(pipeline.Config, pipeline.Deployments, pipeline.Releases, store, [pipeline.Target], pipeline.Clock, NullLogger<DriftChecks>.Instance), store,
            (await pipeline.Deployments.GetAsync(d.Id, None))!);
    }
}
