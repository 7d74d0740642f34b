
namespace Onward.Integrations.Git;

/// <summary>
/// A clean work tree of one commit for a build: a linked worktree of the mirror (https://git-scm.com/docs/git-worktree),
/// detached at the commit. One git process makes it; the build sees a real git checkout, with the mirror's branches and
/// tags (so that <c>git describe</c> works), and never the mirror's own files.
/// </summary>
public static class WorkTree
{
    public static async Task CheckOutAsync(string mirror, string commit, string directory, CancellationToken cancellationToken)
    {
        if (Directory.Exists(directory))
        {
            // A build started again after a crash: the half-made tree goes, and so does the mirror's note of it.
            Directory.Delete(directory, recursive: true);
            await PruneAsync(mirror, cancellationToken);
        }
        await GitCli.RequireAsync(mirror, ["-c", "advice.detachedHead=false", "worktree", "add", "--quiet", "--detach", "--end-of-options", directory, commit], cancellationToken);
    }

    /// <summary>Forgets the worktrees whose directories are gone (builds that ended); starts git only when there are any.</summary>
    public static async Task PruneAsync(string mirror, CancellationToken cancellationToken)
    {
        var worktrees = Path.Combine(mirror, "worktrees");
        if (!Directory.Exists(worktrees) || !Directory.EnumerateDirectories(worktrees).Any(IsGone))
        {
            return;
        }
        await GitCli.RequireAsync(mirror, ["worktree", "prune"], cancellationToken);
    }

    private static bool IsGone(string entry)
    {
        var gitdir = Path.Combine(entry, "gitdir");
        try
        {
            return File.Exists(gitdir) && !File.Exists(File.ReadAllText(gitdir).Trim());
        }
        catch (IOException)
        {
            return false;
        }
    }
}
