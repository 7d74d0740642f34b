using Onward.Core.Sources;
using Onward.Integrations.Git;
using Onward.Testing;

namespace Onward.Integrations.Tests.Git;

/// <summary>
/// The in-process commit-graph reader against git itself as the oracle, over generated histories with merges (a
/// criss-cross and an octopus among them), a force push, an unrelated root and a graph split into several layers.
/// </summary>
public class CommitGraphTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>An empty commit: branches never conflict when they merge, so that every shape of history can be made.</summary>
    private static async Task<string> CommitAsync(GitRepository repo, string message)
    {
        await repo.RunAsync("-c", "user.name=Test", "-c", "user.email=test@onward.invalid", "commit", "--quiet", "--allow-empty", "-m", message);
        return await repo.HeadAsync();
    }

    private static async Task MergeAsync(GitRepository repo, string message, params string[] branches) =>
        await repo.RunAsync(["-c", "user.name=Test", "-c", "user.email=test@onward.invalid", "merge", "--quiet", "--no-ff", "-m", message, .. branches]);

    /// <summary>A history with every shape ancestry questions meet, fetched into a mirror in two rounds.</summary>
    private static async Task<(GitSourceRepository Source, string Mirror, List<string> Commits)> HistoryAsync(TempDirectory dir, string objectFormat = "sha1")
    {
        var repo = await GitRepository.InitAsync(dir.Combine("repo"));
        for (var i = 0; i < 15; i++)
        {
            await CommitAsync(repo, $"main {i}");
        }
        await repo.RunAsync("branch", "feature", "HEAD~5");
        await repo.RunAsync("checkout", "--quiet", "feature");
        for (var i = 0; i < 6; i++)
        {
            await CommitAsync(repo, $"feature {i}");
        }
        await repo.RunAsync("checkout", "--quiet", "main");
        await MergeAsync(repo, "merge feature", "feature");
        // A criss-cross: two branches that each merge the other.
        await repo.RunAsync("branch", "left");
        await repo.RunAsync("branch", "right");
        await repo.RunAsync("checkout", "--quiet", "left");
        await CommitAsync(repo, "left 1");
        await repo.RunAsync("checkout", "--quiet", "right");
        await CommitAsync(repo, "right 1");
        await repo.RunAsync("checkout", "--quiet", "left");
        await MergeAsync(repo, "left takes right", "right~0");
        await repo.RunAsync("checkout", "--quiet", "right");
        await MergeAsync(repo, "right takes left", "left~1");
        await CommitAsync(repo, "right 2");
        var source = new GitSourceRepository(dir.Combine("data"));
        await source.FetchAsync("svc", repo.Path, None);

        // Second round: an octopus merge, a rewritten (force-pushed) branch and an unrelated root, in a new layer.
        await repo.RunAsync("checkout", "--quiet", "main");
        foreach (var name in new[] { "o1", "o2", "o3" })
        {
            await repo.RunAsync("checkout", "--quiet", "-b", name, "main");
            await CommitAsync(repo, name);
        }
        await repo.RunAsync("checkout", "--quiet", "main");
        await MergeAsync(repo, "octopus", "o1", "o2", "o3");
        await repo.RunAsync("checkout", "--quiet", "feature");
        await repo.RunAsync("reset", "--quiet", "--hard", "HEAD~3");
        await CommitAsync(repo, "feature rewritten");
        await repo.RunAsync("checkout", "--quiet", "--orphan", "unrelated");
        await CommitAsync(repo, "unrelated root");
        await CommitAsync(repo, "unrelated 2");
        await repo.RunAsync("checkout", "--quiet", "main");
        await CommitAsync(repo, "main after octopus");
        await source.FetchAsync("svc", repo.Path, None);
        var mirror = source.MirrorPath("svc");
        var commits = (await GitCli.RequireAsync(mirror, ["rev-list", "--all"], None)).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        return (source, mirror, commits);
    }

    [Fact]
    public async Task Ancestry_and_merge_bases_from_the_graph_agree_with_git_on_every_pair_of_a_history_with_merges_force_pushes_and_unrelated_roots()
    {
        await using var dir = new TempDirectory();
        var (_, mirror, commits) = await HistoryAsync(dir);
        var graph = CommitGraph.Load(mirror)!;
        var layers = File.ReadAllLines(Path.Combine(mirror, "objects", "info", "commit-graphs", "commit-graph-chain"));

        layers.Length.ShouldBeGreaterThan(1, "the graph is split into layers, as fetches write it");
        graph.Count.ShouldBe(commits.Count);
        var disagreements = new List<string>();
        var pairs = 0;
        // Git answers which commits each one has in its history (one rev-list per commit), and the merge bases.
        var history = new Dictionary<string, HashSet<string>>();
        foreach (var commit in commits)
        {
            history[commit] = (await GitCli.RequireAsync(mirror, ["rev-list", commit], None)).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        }
        foreach (var a in commits)
        {
            foreach (var b in commits)
            {
                pairs++;
                var (x, y) = (graph.Find(a)!.Value, graph.Find(b)!.Value);
                graph.IdAt(x).ShouldBe(a);
                if (graph.IsAncestor(x, y) != history[b].Contains(a))
                {
                    disagreements.Add($"is {a[..7]} an ancestor of {b[..7]}: graph says {graph.IsAncestor(x, y)}, git says {history[b].Contains(a)}");
                }
                if (history[b].Contains(a) || history[a].Contains(b) || (commits.IndexOf(a) + commits.IndexOf(b)) % 4 != 0)
                {
                    continue;
                }
                var bases = (await GitCli.RunAsync(mirror, ["merge-base", "--all", a, b], None)).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                var mergeBase = graph.MergeBase(x, y);
                if (mergeBase is null ? bases.Length > 0 : !bases.Contains(graph.IdAt(mergeBase.Value)))
                {
                    disagreements.Add($"merge base of {a[..7]} and {b[..7]}: graph says {(mergeBase is null ? "none" : graph.IdAt(mergeBase.Value)[..7])}, git says {string.Join(" or ", bases.Select(c => c[..7]))}");
                }
            }
        }

        pairs.ShouldBeGreaterThan(300);
        disagreements.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_source_repository_answers_forward_only_from_the_graph_and_falls_back_to_git_for_commits_it_does_not_hold()
    {
        await using var dir = new TempDirectory();
        var (source, mirror, commits) = await HistoryAsync(dir);
        var main = (await GitCli.RequireAsync(mirror, ["rev-list", "--first-parent", "main"], None)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var unrelated = (await GitCli.RequireAsync(mirror, ["rev-parse", "unrelated"], None)).Trim();
        var rewritten = (await GitCli.RequireAsync(mirror, ["rev-parse", "feature"], None)).Trim();

        (await source.CompareAsync("svc", mirror, main[^1], main[0], None)).Relation.ShouldBe(AncestryRelation.Descendant);
        (await source.CompareAsync("svc", mirror, main[0], main[^1], None)).Relation.ShouldBe(AncestryRelation.Ancestor);
        (await source.CompareAsync("svc", mirror, main[0], unrelated, None)).Relation.ShouldBe(AncestryRelation.Unrelated);
        var diverged = await source.CompareAsync("svc", mirror, main[0], rewritten, None);
        diverged.Relation.ShouldBe(AncestryRelation.Diverged);
        diverged.MergeBase.ShouldBe((await GitCli.RequireAsync(mirror, ["merge-base", main[0], rewritten], None)).Trim());

        // A commit the graph does not hold (written to the mirror after the graph) is answered by git.
        var loose = (await GitCli.RequireAsync(mirror, ["commit-tree", "-p", main[0], "-m", "not in the graph", main[0] + "^{tree}"], None,
            new Dictionary<string, string> { ["GIT_AUTHOR_NAME"] = "T", ["GIT_AUTHOR_EMAIL"] = "t@x", ["GIT_COMMITTER_NAME"] = "T", ["GIT_COMMITTER_EMAIL"] = "t@x" })).Trim();
        CommitGraph.Load(mirror)!.Find(loose).ShouldBeNull();
        (await source.CompareAsync("svc", mirror, main[0], loose, None)).Relation.ShouldBe(AncestryRelation.Descendant);
        commits.ShouldNotContain(loose);
    }

    [Fact]
    public async Task A_sha256_repository_graph_is_read_too()
    {
        await using var dir = new TempDirectory();
        var path = dir.Combine("sha256");
        Directory.CreateDirectory(path);
        await GitCli.RequireAsync(path, ["init", "--quiet", "--object-format=sha256", "--initial-branch=main"], None);
        var repo = await GitRepository.OpenAsync(path);
        var first = await repo.CommitAsync("one");
        await repo.CommitAsync("two");
        var third = await repo.CommitAsync("three");
        await repo.RunAsync("commit-graph", "write", "--reachable");

        var graph = CommitGraph.Load(Path.Combine(path, ".git"))!;

        first.Length.ShouldBe(64);
        graph.IsAncestor(graph.Find(first)!.Value, graph.Find(third)!.Value).ShouldBeTrue();
        graph.IsAncestor(graph.Find(third)!.Value, graph.Find(first)!.Value).ShouldBeFalse();
    }
}
