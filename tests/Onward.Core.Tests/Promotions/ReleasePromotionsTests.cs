using Onward.Contracts.Deployments;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;
using Onward.Core.Releases;
using Onward.Core.Tests.Deployments;
using Onward.Testing.Fakes;

namespace Onward.Core.Tests.Promotions;

public class ReleasePromotionsTests
{
    private static async Task<(CorePipeline Pipeline, Release Candidate)> CandidateAsync()
    {
        var pipeline = new CorePipeline(DeploymentRunnerTests.Yaml);
        var commit = pipeline.Source.Commit(null);
        return (pipeline, pipeline.Releases.AddBuilt("shop", "1.0.0", commit, releaseCandidate: true, kind: RefKind.Tag));
    }

    [Fact]
    public async Task A_release_candidate_is_promoted_once_when_it_succeeded_in_every_required_environment()
    {
        var (pipeline, candidate) = await CandidateAsync();

        await pipeline.RunAsync((await pipeline.RequestAsync("dev", "1.0.0")).Deployment!.Id);
        pipeline.Deployments.All.ShouldNotContain(d => d.Environment == "prod", "staging has not proved it yet");
        await pipeline.RunAsync((await pipeline.RequestAsync("staging", "1.0.0")).Deployment!.Id);
        await pipeline.Promotions.AfterSuccessAsync(pipeline.Deployments.All.First(d => d.Environment == "staging"), CancellationToken.None);

        var promoted = pipeline.Deployments.All.Single(d => d.Environment == "prod");
        promoted.Trigger.ShouldBe(DeploymentTrigger.Promotion);
        promoted.RequestedBy.ShouldBe("onward");
        promoted.ReleaseId.ShouldBe(candidate.Id);
        pipeline.Deployments.EventsOf(promoted.Id)[0].Message.ShouldBe("requested (promotion): release candidate 1.0.0 succeeded in dev, staging");
    }

    [Fact]
    public async Task A_release_candidate_that_failed_in_a_required_environment_is_not_promoted_and_says_why()
    {
        var (pipeline, _) = await CandidateAsync();
        pipeline.Target.Verdicts["1.0.0"] = StepResult.Fail("crashed");
        await pipeline.RunAsync((await pipeline.RequestAsync("staging", "1.0.0")).Deployment!.Id);
        pipeline.Target.Verdicts.Clear();

        var succeeded = (await pipeline.RequestAsync("dev", "1.0.0")).Deployment!;
        await pipeline.RunAsync(succeeded.Id);

        pipeline.Deployments.All.ShouldNotContain(d => d.Environment == "prod");
        pipeline.Deployments.EventsOf(succeeded.Id)[^1].Message.ShouldBe("not promoted to prod: 1.0.0 failed in staging");
    }
}
