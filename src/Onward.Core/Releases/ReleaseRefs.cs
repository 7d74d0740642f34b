using Microsoft.Extensions.Logging;

namespace Onward.Core.Releases;

/// <summary>What a ref seen on the main line (or as a version) does to a release that exists already.</summary>
public static class ReleaseRefs
{
    /// <summary>
    /// When the release <paramref name="candidate"/> would be exists already as a pull request's preview build of the
    /// same commit (a fast-forward merge), it becomes the main line's (or the version's) and is delivered as such.
    /// </summary>
    public static async Task TakeFromPreviewAsync(this IReleaseStore releases, NewRelease candidate, DateTimeOffset now, ILogger logger, CancellationToken cancellationToken)
    {
        if (candidate.Preview is null && await releases.FindAsync(candidate.Service, candidate.Version, cancellationToken) is { Preview: { } number } existing
            && existing.Commit == candidate.Commit)
        {
            await releases.ToMainLineAsync(existing.Id, candidate.Ref, candidate.RefKind, candidate.ReleaseCandidate, now, cancellationToken);
            logger.LogInformation("{Service} {Version}, built for the preview of pull request #{Number}, is now {Ref}'s", candidate.Service, candidate.Version, number, candidate.Ref);
        }
    }
}
