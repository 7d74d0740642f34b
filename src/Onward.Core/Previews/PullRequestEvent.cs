namespace Onward.Core.Previews;

/// <summary>What a pull request (merge request) event says, in Onward's terms.</summary>
public enum PullRequestAction
{
    /// <summary>Opened, reopened, or its head moved (a push, a force-push).</summary>
    Updated,

    /// <summary>Closed or merged.</summary>
    Closed,

    /// <summary>Something else happened to it (a label, a title, a review): nothing to do.</summary>
    Other,
}

/// <param name="Repositories">Every name and URL the payload gives for the repository the pull request is into.</param>
/// <param name="Number">The pull request's number (GitLab: the merge request's iid).</param>
/// <param name="Branch">The head branch.</param>
/// <param name="Commit">The head commit.</param>
/// <param name="HeadRef">Where the host keeps the head in the target repository (<c>refs/pull/N/head</c>); null when it keeps none.</param>
/// <param name="Link">The pull request's web page.</param>
/// <param name="Said">The host's own word for what happened (opened, synchronize, merge…).</param>
public sealed record PullRequestEvent(
    IReadOnlyList<string> Repositories,
    long Number,
    PullRequestAction Action,
    string Said,
    string Branch,
    string Commit,
    string? HeadRef,
    string? Link)
{
    /// <summary>Whether the head is in another repository (a fork): its code comes from outside the team.</summary>
    public bool FromFork { get; init; }

    /// <summary>Opened or reopened (not only pushed to): a preview destroyed by hand or by its time comes back even at the same head.</summary>
    public bool Opened { get; init; }
}
