using Onward.Core.Releases;
using Onward.Testing.Fakes;
using Onward.Core.Tests.Deployments;

namespace Onward.Core.Tests.Sources;

public class SourceWatcherTests
{
    [Fact]
    public async Task On_the_first_look_only_the_main_branch_builds_and_afterwards_every_new_version_ref_does()
    {
        var pipeline = new CorePipeline(DeploymentRunnerTests.Yaml);
        var service = pipeline.Config.FindService("shop")!;
        var first = pipeline.Source.Commit(null);
        pipeline.Source.Head("main", first);
        pipeline.Source.Head("0.9.0", first, RefKind.Tag);
        pipeline.Source.Head("feature/x", first);

        var initial = await pipeline.Watcher.PollAsync(service, CancellationToken.None);
        var second = pipeline.Source.Commit(first);
        pipeline.Source.Head("main", second);
        pipeline.Source.Head("1.0.0", second, RefKind.Tag);
        var next = await pipeline.Watcher.PollAsync(service, CancellationToken.None);
        var unchanged = await pipeline.Watcher.PollAsync(service, CancellationToken.None);

        initial.Select(r => r.Version).ShouldBe([first[..7]], "old tags are history on the first look");
        next.Select(r => r.Version).Order().ShouldBe(new[] { second[..7], "1.0.0" }.Order());
        next.Single(r => r.Version == "1.0.0").ReleaseCandidate.ShouldBeTrue();
        unchanged.ShouldBeEmpty();
        pipeline.Releases.QueuedBuilds.Count.ShouldBe(3);
    }
}
