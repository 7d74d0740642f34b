using Microsoft.Extensions.Logging;
using Onward.Core.Configuration;
using Onward.Core.Releases;
using Onward.Core.Insight;

namespace Onward.Core.Sources;

/// <summary>
/// Reads a service's repository and turns ref heads that changed since the last look into releases. On the very first
/// look only the main branch builds: a repository's old version tags are history, not new work.
/// </summary>
public sealed class SourceWatcher(
    ISourceRepository repository,
    IRefStateStore refState,
    IReleaseStore releases,
    TimeProvider time,
    ILogger<SourceWatcher> logger)
{
    public async Task<IReadOnlyList<Release>> PollAsync(ServiceConfig service, CancellationToken cancellationToken)
    {
        var heads = await repository.FetchAsync(service.Name, service.Repository, cancellationToken);
        await WarnAsync(service, SourceWarnings.Of(service, heads), cancellationToken);
        var known = await refState.GetAsync(service.Name, cancellationToken);
        var created = new List<Release>();
        foreach (var head in heads)
        {
            var key = Key(service, head);
            if (known is not null && known.TryGetValue(key, out var seen) && seen == head.Commit)
            {
                continue;
            }
            var (candidate, reason) = RefClassifier.Classify(service, head);
            // A service built by an external CI gets its releases when the CI registers them, not from its refs.
            if (candidate is null && service.VersionRefPattern.IsMatch(head.Name) && VersionName.Problem(head.Name) is not null)
            {
                logger.LogWarning("Not building {Service} from a version ref: {Reason}", service.Name, reason);
                continue;
            }
            if (candidate is null || (known is null && head.Kind == RefKind.Tag) || service.Build.External is not null)
            {
                logger.LogDebug("Ignoring {Service} {Ref} at {Commit}: {Reason}", service.Name, head.Name, head.Commit, reason);
                continue;
            }
            var (span, traced) = ReleaseTraces.Begin(candidate, "poll");
            var release = await releases.AddAsync(traced, time.GetUtcNow(), cancellationToken);
            ReleaseTraces.End(span, release);
            if (release is null)
            {
                await releases.TakeFromPreviewAsync(candidate, time.GetUtcNow(), logger, cancellationToken);
                logger.LogDebug("{Service} {Version} already has a release", service.Name, candidate.Version);
                continue;
            }
            logger.LogInformation(
                "New release {Service} {Version} ({Commit}) from {Reason}",
                service.Name, release.Version, release.Commit, reason);
            created.Add(release);
        }
        await refState.SaveAsync(service.Name, heads.ToDictionary(h => Key(service, h), h => h.Commit), cancellationToken);
        return created;
    }

    /// <summary>
    /// How a ref is remembered between looks: the main branch under a key of its own, so that a branch that becomes
    /// the main one (`mainBranch` edited to the branch the repository has) has its head built at once, though the ref
    /// itself did not move.
    /// </summary>
    private static string Key(ServiceConfig service, RefHead head) =>
        head.Kind == RefKind.Branch && service.MainBranches.Contains(head.Name) ? $"{head.Kind}:{head.Name}:main" : $"{head.Kind}:{head.Name}";

    /// <summary>Keeps that the service's repository could not be read, with the reason, where everyone looks.</summary>
    public Task UnreadableAsync(ServiceConfig service, string reason, CancellationToken cancellationToken) =>
        WarnAsync(service, [SourceWarnings.Unreadable(service, reason)], cancellationToken);

    /// <summary>Keeps the warnings of a look; each change is logged once, by whichever replica saw it.</summary>
    private async Task WarnAsync(ServiceConfig service, IReadOnlyList<string> warnings, CancellationToken cancellationToken)
    {
        if (!await refState.SetWarningsAsync(service.Name, warnings, time.GetUtcNow(), cancellationToken))
        {
            return;
        }
        if (warnings.Count == 0)
        {
            logger.LogInformation("{Service}'s repository reads well again", service.Name);
        }
        foreach (var warning in warnings)
        {
            logger.LogWarning("{Service}: {Warning}", service.Name, warning);
        }
    }
}
