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

    /// <summary>Builds that end out of order (a retried or slow one): the older release does not overtake the newer one.</summary>
    [Fact]
    public async Task A_build_that_finishes_after_a_newer_one_is_not_delivered_where_the_newer_one_is()
    {
        var pipeline = new CorePipeline(DeploymentRunnerTests.Yaml);
        var older = pipeline.Source.Commit(null);
        var newer = pipeline.Source.Commit(older);
        var releases = new List<Release>();
        foreach (var commit in new[] { older, newer })
        {
            var release = (await pipeline.Releases.AddAsync(new NewRelease("shop", commit[..7], commit, "main", RefKind.Branch, false), pipeline.Clock.GetUtcNow(), CancellationToken.None))!;
            pipeline.Builder.Answers[release.Version] = new BuildProgress(StepResult.Done("/artifacts/" + release.Version), new BuildResult("/artifacts/" + release.Version, null, null));
            releases.Add(release);
        }

        await pipeline.Builds.StepAsync(releases[1].Id, CancellationToken.None);
        await pipeline.Builds.StepAsync(releases[0].Id, CancellationToken.None);

        (await pipeline.Releases.GetAsync(releases[0].Id, CancellationToken.None))!.State.ShouldBe(ReleaseState.Built);
        pipeline.Deployments.All.ShouldAllBe(d => d.ReleaseId == releases[1].Id, "only the newer release is delivered");
        pipeline.Deployments.All.Select(d => (d.Environment, d.State)).Order().ShouldBe([("dev", DeploymentState.Queued), ("staging", DeploymentState.Queued)]);
    }
}
