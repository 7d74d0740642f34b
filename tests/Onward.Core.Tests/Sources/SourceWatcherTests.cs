using Onward.Core.Releases;
using Onward.Core.Sources;
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

    [Fact]
    public async Task A_main_branch_that_is_not_there_is_kept_as_a_warning_and_logged_once_and_an_unreadable_repository_too()
    {
        var pipeline = new CorePipeline(DeploymentRunnerTests.Yaml);
        var service = pipeline.Config.FindService("shop")!;
        var logger = new RecordingLogger<SourceWatcher>();
        var watcher = new SourceWatcher(pipeline.Source, pipeline.RefState, pipeline.Releases, pipeline.Clock, logger);
        var commit = pipeline.Source.Commit(null);
        pipeline.Source.Head("develop", commit);
        pipeline.Source.Head("trunk", commit);

        (await watcher.PollAsync(service, CancellationToken.None)).ShouldBeEmpty();
        await watcher.PollAsync(service, CancellationToken.None);
        var warnings = (await pipeline.RefState.WarningsAsync(CancellationToken.None))["shop"];
        await watcher.UnreadableAsync(service, "fatal: repository not found", CancellationToken.None);
        var unreadable = (await pipeline.RefState.WarningsAsync(CancellationToken.None))["shop"];
        pipeline.Source.Head("main", commit);
        await watcher.PollAsync(service, CancellationToken.None);

        warnings.ShouldHaveSingleItem().ShouldBe(
            $"{service.Repository} has neither a branch `main` nor `master`, so nothing of shop builds; its branches: develop, trunk; set `mainBranch: trunk` for shop in onward.yaml, or push that branch");
        unreadable.ShouldHaveSingleItem().ShouldEndWith("builds: fatal: repository not found; check the address, and the credentials if it needs any");
        (await pipeline.RefState.WarningsAsync(CancellationToken.None)).ShouldBeEmpty("main is there now");
        logger.Entries.Where(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning).Count().ShouldBe(2, "each change once, not each look");
        logger.Entries.ShouldContain(e => e.Message == "shop's repository reads well again");
    }
}
