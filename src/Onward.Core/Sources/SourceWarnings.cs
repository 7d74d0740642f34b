using Onward.Core.Configuration;
using Onward.Core.Releases;

namespace Onward.Core.Sources;

/// <summary>
/// What a look at a service's repository can find wrong that would otherwise go unseen: the main branch it builds is
/// not there (a repository made by `git init` has `master`, the README's examples say `main`), or the repository
/// cannot be read at all.
/// </summary>
public static class SourceWarnings
{
    /// <summary>The most branch names a warning lists.</summary>
    private const int BranchesShown = 10;

    /// <summary>The branch a main line usually is, in that order; else the first there is.</summary>
    private static readonly string[] Usual = ["main", "master", "trunk", "develop"];

    /// <summary>The warnings of a look that read the repository's refs: none when a main branch is there.</summary>
    public static IReadOnlyList<string> Of(ServiceConfig service, IReadOnlyCollection<RefHead> heads)
    {
        var branches = heads.Where(h => h.Kind == RefKind.Branch).Select(h => h.Name).Order(StringComparer.Ordinal).ToList();
        if (service.MainBranches.Any(branches.Contains))
        {
            return [];
        }
        var wanted = service.MainBranch is { } branch ? $"no branch `{branch}` (its `mainBranch`)" : "neither a branch `main` nor `master`";
        var there = branches.Count == 0
            ? "it has no branches at all (nothing pushed yet?)"
            : $"its branches: {string.Join(", ", branches.Take(BranchesShown))}{(branches.Count > BranchesShown ? $" and {branches.Count - BranchesShown} more" : "")}";
        var fix = branches.Count == 0 ? "push a first commit" : $"set `mainBranch: {Suggest(branches)}` for {service.Name} in onward.yaml, or push that branch";
        return [$"{service.Repository} has {wanted}, so nothing of {service.Name} builds; {there}; {fix}"];
    }

    /// <summary>The warning of a look that could not read the repository.</summary>
    public static string Unreadable(ServiceConfig service, string reason) =>
        $"{service.Repository} cannot be read, so nothing of {service.Name} builds: {reason}; check the address, and the credentials if it needs any";

    private static string Suggest(IReadOnlyList<string> branches) => Usual.FirstOrDefault(branches.Contains) ?? branches[0];
}
