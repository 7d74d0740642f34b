using Onward.Contracts.Deployments;
using Onward.Core.Builds;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;
using Onward.Core.Releases;
using Onward.Core.Tests.Deployments;
using Onward.Testing.Fakes;

namespace Onward.Core.Tests.Builds;

public class BuildRunnerTests
{
    private static async Task<(CorePipeline Pipeline, Release Release)> BuildingAsync()
    {
        var pipeline = new CorePipeline(DeploymentRunnerTests.Yaml);
        var commit = pipeline.Source.Commit(null);
        var release = (await pipeline.Releases.AddAsync(new NewRelease("shop", commit[..7], commit, "main", RefKind.Branch, false), pipeline.Clock.GetUtcNow(), CancellationToken.None))!;
        return (pipeline, release);
    }

    [Fact]
    public async Task A_built_release_goes_to_every_environment_with_automatic_deployment_and_no_other()
    {
        var (pipeline, release) = await BuildingAsync();
        pipeline.Builder.Answers[release.Version] = new BuildProgress(StepResult.Done("/artifacts/x"), new BuildResult("/artifacts/x", null, null));

        (await pipeline.Builds.StepAsync(release.Id, CancellationToken.None)).ShouldBeOfType<StepResult.Succeeded>();

        (await pipeline.Releases.GetAsync(release.Id, CancellationToken.None))!.State.ShouldBe(ReleaseState.Built);
        pipeline.Deployments.All.Select(d => d.Environment).Order().ShouldBe(["dev", "staging"]);
        pipeline.Deployments.All.ShouldAllBe(d => d.Trigger == DeploymentTrigger.Auto && d.State == DeploymentState.Queued);
        await pipeline.Builds.DeliverAsync((await pipeline.Releases.GetAsync(release.Id, CancellationToken.None))!, CancellationToken.None);
        pipeline.Deployments.All.Count.ShouldBe(2, "delivering again changes nothing");
    }

    [Fact]
    public async Task A_build_that_fails_marks_its_release_failed_with_the_log_and_one_that_runs_too_long_is_stopped()
    {
        var (pipeline, release) = await BuildingAsync();
        pipeline.Builder.Answers[release.Version] = StepResult.Fail("exit code 2", "make: *** no rule");

        await pipeline.Builds.StepAsync(release.Id, CancellationToken.None);

        var failed = (await pipeline.Releases.GetAsync(release.Id, CancellationToken.None))!;
        failed.State.ShouldBe(ReleaseState.BuildFailed);
        failed.Failure.ShouldBe("exit code 2" + Environment.NewLine + "make: *** no rule");
        pipeline.Deployments.All.ShouldBeEmpty();

        var (slow, running) = await BuildingAsync();
        (await slow.Builds.StepAsync(running.Id, CancellationToken.None)).ShouldBeOfType<StepResult.Pending>();
        slow.Clock.Advance(TimeSpan.FromMinutes(31));
        (await slow.Builds.StepAsync(running.Id, CancellationToken.None)).ShouldBeOfType<StepResult.Failed>().Reason.ShouldBe("the build exceeded its timeout of 30m00s and was stopped");
        slow.Builder.Log.ShouldContain($"cancelled {running.Version}");
    }
}
