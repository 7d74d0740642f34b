namespace Onward.Core.Sources;

public enum AncestryRelation
{
    Same,

    /// <summary>The candidate has the current commit in its history: a step forward.</summary>
    Descendant,

    /// <summary>The candidate is in the current commit's history: a step back.</summary>
    Ancestor,

    /// <summary>Both share a merge base but neither contains the other (a force push, a release branch).</summary>
    Diverged,

    /// <summary>No common history at all.</summary>
    Unrelated,

    /// <summary>One of the commits is not in the repository, even after a fetch.</summary>
    Unknown,
}

/// <summary>How a candidate commit relates to an environment's current commit in git history.</summary>
public sealed record Ancestry(AncestryRelation Relation, string? MergeBase);
