using Onward.Core.Releases;
using Onward.Core.Sources;

namespace Onward.Core.Deployments;

/// <summary>
/// rule 5 of docs/ARCHITECTURE.md: an environment receives its current commit again, or a commit that has the current one as an
/// ancestor; anything else is refused with how the two commits relate.
/// </summary>
public static class ForwardOnlyPolicy
{
    /// <returns>Null when allowed, else the reason for blocking.</returns>
    public static string? Check(string environment, string? currentCommit, string candidateCommit, Ancestry? ancestry)
    {
        if (currentCommit is null || currentCommit == candidateCommit)
        {
            return null;
        }
        var current = Release.ShortHash(currentCommit);
        var candidate = Release.ShortHash(candidateCommit);
        return ancestry?.Relation switch
        {
            AncestryRelation.Same or AncestryRelation.Descendant => null,
            AncestryRelation.Ancestor =>
                $"forward-only: {candidate} is older than {environment}'s current commit {current} (it is an ancestor of it), so deploying it would move {environment} backwards",
            AncestryRelation.Diverged =>
                $"forward-only: {candidate} does not descend from {environment}'s current commit {current}; their histories diverged after {Release.ShortHash(ancestry.MergeBase!)} (a force push or another branch)",
            AncestryRelation.Unrelated =>
                $"forward-only: {candidate} and {environment}'s current commit {current} share no history (an unrelated branch)",
            _ =>
                $"forward-only: cannot tell whether {candidate} descends from {environment}'s current commit {current}: a commit is missing from the repository",
        };
    }
}
