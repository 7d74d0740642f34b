using Onward.Core.Releases;
using Onward.Core.Tests.Deployments;
using Onward.Core.Webhooks;
using Onward.Testing.Fakes;

namespace Onward.Core.Tests.Webhooks;

public class DeliveryProcessorTests
{
    [Fact]
    public async Task A_push_that_builds_becomes_a_release_of_its_exact_commit_and_one_of_an_unknown_commit_says_so()
    {
        var pipeline = new CorePipeline(DeploymentRunnerTests.Yaml);
        var commit = pipeline.Source.Commit(null);
        pipeline.Source.Head("main", commit);
        var missing = new string('e', 40);
        var push = new PushEvent(["https://git.example/shop.git"],
            [new RefChange("refs/tags/2.0.0", RefKind.Tag, "2.0.0", commit, false, false), new RefChange("refs/tags/2.0.1", RefKind.Tag, "2.0.1", missing, false, false)]);
        var delivery = (await pipeline.DeliveryStore.AddAsync(
            new NewDelivery("github", "push", "d-1", "https://git.example/shop.git", "refs/tags/2.0.0", RefKind.Tag, "2.0.0", commit, false, DeliveryAction.Build, "builds"),
            push, pipeline.Clock.GetUtcNow(), CancellationToken.None))!;

        await pipeline.Deliveries.StepAsync(delivery.Id, CancellationToken.None);

        var processed = (await pipeline.DeliveryStore.GetAsync(delivery.Id, CancellationToken.None))!;
        processed.Action.ShouldBe(DeliveryAction.Build);
        processed.ReleaseId.ShouldNotBeNull();
        processed.Reason.ShouldContain("shop: release 2.0.0 (");
        processed.Reason.ShouldContain($"shop: {missing} of '2.0.1' is not in the repository (rewritten since?)");
        pipeline.Releases.All.ShouldContain(r => r.Version == "2.0.0" && r.Commit == commit);
        pipeline.Source.Fetches.ShouldBe(1, "the fetch also reconciles what the provider did not send");
    }
}
