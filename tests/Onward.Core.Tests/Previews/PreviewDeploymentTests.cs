using Onward.Contracts.Deployments;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;
using Onward.Core.Previews;
using Onward.Testing.Fakes;

namespace Onward.Core.Tests.Previews;

/// <summary>Rule 14: a pull request's build goes to previews only, and a preview runs its own service only.</summary>
public class PreviewDeploymentTests
{
    private const string Yaml = """
        environments:
          dev-1: { target: { local: {} }, policy: { autoDeploy: main } }
        services:
          shop:
            repository: https://git.example/shop.git
            build: { command: { run: make } }
            deploy: { local: { command: run, healthUrl: "http://127.0.0.1:{port}/" } }
            previews: { from: dev-1 }
          billing:
            repository: https://git.example/billing.git
            build: { command: { run: make } }
            deploy: { local: { command: run, healthUrl: "http://127.0.0.1:{port}/" } }
        """;

    [Fact]
    public async Task A_preview_build_is_blocked_outside_previews_and_a_preview_takes_no_other_service()
    {
        var pipeline = new CorePipeline(Yaml);
        var config = PreviewEnvironments.Add(pipeline.Config, [new PreviewPlace("shop", 42, null)]);
        var requests = new DeploymentRequests(config, pipeline.Releases, pipeline.Deployments, pipeline.Source, pipeline.Freezes, pipeline.Clock);
        var built = pipeline.Releases.AddBuilt("shop", "abcdef1", "abcdef1000");
        var preview = (await pipeline.Releases.AddAsync(new Onward.Core.Releases.NewRelease("shop", "1234567", "1234567000", "feature/x", Onward.Core.Releases.RefKind.Branch, false) { Preview = 42 },
            pipeline.Clock.GetUtcNow(), CancellationToken.None))!;
        await pipeline.Releases.MarkBuiltAsync(preview.Id, new Onward.Core.Builds.BuildResult("/a", null, null), pipeline.Clock.GetUtcNow(), CancellationToken.None);
        DeploymentRequest Request(string service, string environment, string version) =>
            new(service, environment, version, null, null, null, Actors.Onward, DeploymentTrigger.Auto);

        var elsewhere = await requests.RequestAsync(Request("shop", "dev-1", "1234567"), CancellationToken.None);
        elsewhere.Deployment!.State.ShouldBe(DeploymentState.Blocked);
        elsewhere.Detail.ShouldBe("preview build: 1234567 was built for the preview of pull request #42 and goes to previews only; merge it, and the main line's release goes on");

        var there = await requests.RequestAsync(Request("shop", "shop-pr-42", "1234567"), CancellationToken.None);
        there.Deployment!.State.ShouldBe(DeploymentState.Queued);
        (await requests.RequestAsync(Request("shop", "shop-pr-42", built.Version), CancellationToken.None)).Deployment!.State.ShouldBe(DeploymentState.Queued, "a main-line release may go to a preview");

        var other = await requests.RequestAsync(Request("billing", "shop-pr-42", "abcdef1"), CancellationToken.None);
        (other.Error, other.Detail).ShouldBe((RequestError.Invalid, "shop-pr-42 is the preview of shop's pull request #42; only shop runs there"));
    }
}
