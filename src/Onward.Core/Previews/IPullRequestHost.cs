using Onward.Core.Configuration;

namespace Onward.Core.Previews;

/// <summary>An open pull request as the host lists it.</summary>
public sealed record OpenPullRequest(long Number, string Branch, string Commit, string? HeadRef, string? Link)
{
    /// <summary>Whether the head is in another repository (a fork).</summary>
    public bool FromFork { get; init; }
}

/// <summary>The git host's pull requests, through its API and the service's <c>report</c> token. Implemented by Onward.Integrations.</summary>
public interface IPullRequestHost
{
    /// <summary>
    /// Makes the pull request's one comment by Onward say <paramref name="text"/>: edits it when it is known (or found on
    /// the pull request by its mark), makes it otherwise.
    /// </summary>
    /// <returns>The comment's id; or the reason it could not be written, and whether trying again later may help.</returns>
    Task<(string? CommentId, string? Error, bool Again)> SayAsync(ReportConfig report, Preview preview, string text, CancellationToken cancellationToken);

    /// <summary>The pull requests open now; null with the reason when the host could not be asked.</summary>
    Task<(IReadOnlyList<OpenPullRequest>? Open, string? Error)> OpenAsync(ReportConfig report, CancellationToken cancellationToken);
}
