using Microsoft.Extensions.Logging.Abstractions;
using Onward.Contracts.Deployments;
using Onward.Core.Deployments;
using Onward.Core.Targets;
using Onward.Testing.Fakes;

namespace Onward.Core.Tests.Targets;

/// <summary>At start-up every environment's current deployment is handed back to its target, and what nothing needs any more is stopped.</summary>
public class TargetAdoptionTests
{
    private const string Yaml = """
        environments:
          dev: { target: { local: {} }, policy: { autoDeploy: main } }
          qa: { target: { local: {} } }
        services:
          shop:
            repository: https://git.example/shop.git
            build: { command: { run: make } }
            deploy: { local: { command: run, healthUrl: "http://127.0.0.1:{port}/" } }
        """;

    [Fact]
    public async Task The_current_deployments_are_taken_over_and_leftovers_of_older_ones_stopped_while_one_under_way_is_kept()
    {
        var pipeline = new CorePipeline(Yaml);
        var commit = pipeline.Source.Commit(null);
        var release = pipeline.Releases.AddBuilt("shop", commit[..7], commit);
        var now = pipeline.Clock.GetUtcNow();
        async Task<Deployment> DeploymentAsync(string environment, params DeploymentState[] path)
        {
            var d = await pipeline.Deployments.AddAsync(new NewDeployment("shop", environment, release.Id, DeploymentState.Queued, null, "dave", DeploymentTrigger.Manual, null), now, CancellationToken.None);
            var from = DeploymentState.Queued;
            foreach (var to in path)
            {
                (await pipeline.Deployments.TransitionAsync(d.Id, new Transition(from, to, "onward", to.ToString()), now, CancellationToken.None)).ShouldBeTrue();
                from = to;
            }
            return d;
        }
        var retired = await DeploymentAsync("dev", DeploymentState.Applying, DeploymentState.Verifying, DeploymentState.Succeeded);
        var current = await DeploymentAsync("dev", DeploymentState.Applying, DeploymentState.Verifying, DeploymentState.Succeeded);
        var underWay = await DeploymentAsync("qa", DeploymentState.Applying);
        pipeline.Target.Running.UnionWith([retired.Id, current.Id, underWay.Id]);
        pipeline.Target.AdoptNote = "took over the process";

        await new TargetAdoption(pipeline.Config, pipeline.Deployments, pipeline.Releases, [pipeline.Target], pipeline.Clock, NullLogger<TargetAdoption>.Instance)
            .AdoptAllAsync(CancellationToken.None);

        pipeline.Target.Calls.ShouldBe([$"adopt {release.Version}"], "only the current deployment is taken over");
        pipeline.Target.Running.ShouldBe([current.Id, underWay.Id], ignoreOrder: true);
        pipeline.Deployments.EventsOf(current.Id)[^1].Message.ShouldBe("server started: took over the process");
        pipeline.Deployments.EventsOf(retired.Id)[^1].Message.ShouldBe($"server started: stopped what deployment {retired.Id} left running");
    }
}
