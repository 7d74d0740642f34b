using Onward.Core.Releases;
using Onward.Core.Sources;
using Onward.Integrations.Git;
using Onward.Testing;

namespace Onward.Integrations.Tests.Git;

public class GitSourceRepositoryTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Fetching_lists_branches_and_tags_with_annotated_tags_resolved_to_their_commit()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("repo"));
        var first = await repo.CommitAsync("first");
        await repo.TagAsync("1.0.0", annotated: true);
        await repo.TagAsync("1.0");
        await repo.RunAsync("branch", "feature/x");
        var second = await repo.CommitAsync("second");
        var source = new GitSourceRepository(dir.Combine("data"));

        var heads = await source.FetchAsync("svc", repo.Path, None);

        heads.ShouldContain(new RefHead("main", RefKind.Branch, second));
        heads.ShouldContain(new RefHead("feature/x", RefKind.Branch, first));
        heads.ShouldContain(new RefHead("1.0.0", RefKind.Tag, first));
        heads.ShouldContain(new RefHead("1.0", RefKind.Tag, first));
        Directory.Exists(Path.Combine(source.MirrorPath("svc"), "objects")).ShouldBeTrue();
        File.Exists(Path.Combine(source.MirrorPath("svc"), "HEAD")).ShouldBeTrue();
    }

    /// <summary>Regression for issue 10.2: the password of a repository URL was on git's command line and in every fetch error.</summary>
    [Fact]
    public async Task Credentials_in_a_repository_url_reach_the_server_as_a_header_and_never_a_command_line_or_an_error()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("served", "shop"));
        var commit = await repo.CommitAsync();
        await repo.RunAsync("config", "http.receivepack", "true");
        var password = "pw-" + Guid.NewGuid().ToString("N");
        await using var server = await GitHttpServer.StartAsync(dir.Combine("served"), "ci", password);
        var source = new GitSourceRepository(dir.Combine("data"));
        var url = $"http://ci:{password}@127.0.0.1:{server.Url.Port}/shop";

        var heads = await source.FetchAsync("svc", url, None);

        heads.ShouldContain(new RefHead("main", RefKind.Branch, commit));
        server.Authorized.ShouldBeGreaterThan(0);
        server.CommandLinesWithPassword.ShouldBeEmpty();
        var wrong = await Should.ThrowAsync<GitException>(() => source.FetchAsync("svc", $"http://ci:wrong-{password}@127.0.0.1:{server.Url.Port}/shop", None));
        server.Refused.ShouldBeGreaterThan(0);
        wrong.Message.ShouldNotContain(password);
        wrong.Message.ShouldContain($"http://127.0.0.1:{server.Url.Port}/shop");
    }

    [Fact]
    public async Task Deleted_refs_disappear_on_the_next_fetch()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("repo"));
        await repo.CommitAsync();
        await repo.RunAsync("branch", "temp");
        await repo.TagAsync("0.1");
        var source = new GitSourceRepository(dir.Combine("data"));
        (await source.FetchAsync("svc", repo.Path, None)).Count.ShouldBe(3);

        await repo.RunAsync("branch", "-D", "temp");
        await repo.RunAsync("tag", "-d", "0.1");

        (await source.FetchAsync("svc", repo.Path, None)).Select(h => h.Name).ShouldBe(["main"]);
    }

    [Fact]
    public async Task Ancestry_tells_forward_backward_diverged_and_unrelated_apart()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("repo"));
        var a = await repo.CommitAsync("a");
        var b = await repo.CommitAsync("b");
        await repo.RunAsync("checkout", "--quiet", "-b", "side", a);
        var side = await repo.CommitAsync("side");
        await repo.RunAsync("checkout", "--quiet", "--orphan", "other");
        var orphan = await repo.CommitAsync("unrelated");
        await repo.RunAsync("checkout", "--quiet", "main");
        var source = new GitSourceRepository(dir.Combine("data"));
        await source.FetchAsync("svc", repo.Path, None);

        (await source.CompareAsync("svc", repo.Path, a, b, None)).Relation.ShouldBe(AncestryRelation.Descendant);
        (await source.CompareAsync("svc", repo.Path, b, a, None)).Relation.ShouldBe(AncestryRelation.Ancestor);
        var diverged = await source.CompareAsync("svc", repo.Path, b, side, None);
        diverged.Relation.ShouldBe(AncestryRelation.Diverged);
        diverged.MergeBase.ShouldBe(a);
        (await source.CompareAsync("svc", repo.Path, b, orphan, None)).Relation.ShouldBe(AncestryRelation.Unrelated);
        (await source.CompareAsync("svc", repo.Path, b, b, None)).Relation.ShouldBe(AncestryRelation.Same);
    }

    [Fact]
    public async Task A_commit_the_mirror_lacks_is_fetched_before_comparing()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("repo"));
        var a = await repo.CommitAsync("a");
        var source = new GitSourceRepository(dir.Combine("data"));
        await source.FetchAsync("svc", repo.Path, None);
        var b = await repo.CommitAsync("b");

        (await source.CompareAsync("svc", repo.Path, a, b, None)).Relation.ShouldBe(AncestryRelation.Descendant);
        (await source.CompareAsync("svc", repo.Path, a, "0123456789abcdef0123456789abcdef01234567", None)).Relation.ShouldBe(AncestryRelation.Unknown);
    }
}
