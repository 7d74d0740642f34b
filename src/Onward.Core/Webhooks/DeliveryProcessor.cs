using Microsoft.Extensions.Logging;
using Onward.Core.Configuration;
using Onward.Core.Pipeline;
using Onward.Core.Releases;
using Onward.Core.Sources;
using Onward.Core.Insight;

namespace Onward.Core.Webhooks;

/// <summary>
/// The work behind a delivery that builds, done after the provider got its answer: fetch the repository (which also
/// reconciles anything the provider did not send), then make a release of each pushed ref's exact commit.
/// </summary>
public sealed class DeliveryProcessor(
    ConfigSource configuration,
    IDeliveryStore deliveries,
    IReleaseStore releases,
    ISourceRepository source,
    SourceWatcher watcher,
    TimeProvider time,
    ILogger<DeliveryProcessor> logger) : IJobHandler
{
    private OnwardConfig config => configuration.Current;

    /// <summary>Ends a delivery whose processing keeps failing, with the reason, so that it never hangs unseen.</summary>
    public Task AbandonAsync(long deliveryId, string reason, CancellationToken cancellationToken) =>
        deliveries.CompleteAsync(deliveryId, DeliveryAction.Ignore, reason, null, null, cancellationToken);

    public async Task<StepResult> StepAsync(long deliveryId, CancellationToken cancellationToken)
    {
        var delivery = await deliveries.GetAsync(deliveryId, cancellationToken);
        var push = await deliveries.PushOfAsync(deliveryId, cancellationToken);
        if (delivery is null || push is null || delivery.Action != DeliveryAction.Build)
        {
            return StepResult.Done();
        }
        var services = config.Services.Where(s => RepositoryMatcher.Matches(s.Repository.Url, push.Repositories)).ToList();
        var made = new List<Release>();
        var notes = new List<string>();
        string? firstCommit = null;
        foreach (var service in services)
        {
            await watcher.PollAsync(service, cancellationToken);
            foreach (var change in push.Changes.Where(c => !c.Deleted && c.Commit is not null))
            {
                var commit = await source.ResolveCommitAsync(service.Name, change.Commit!, cancellationToken);
                if (commit is null)
                {
                    notes.Add($"{service.Name}: {change.Commit} of '{change.Name}' is not in the repository (rewritten since?)");
                    continue;
                }
                firstCommit ??= commit;
                var (candidate, _) = RefClassifier.Classify(service, new RefHead(change.Name, change.Kind, commit));
                if (candidate is null)
                {
                    continue;
                }
                var (span, traced) = ReleaseTraces.Begin(candidate, $"webhook {delivery.Provider}");
                var added = await releases.AddAsync(traced, time.GetUtcNow(), cancellationToken);
                ReleaseTraces.End(span, added);
                if (added is null)
                {
                    await releases.TakeFromPreviewAsync(candidate, time.GetUtcNow(), logger, cancellationToken);
                }
                var release = added ?? await releases.FindAsync(service.Name, candidate.Version, cancellationToken);
                if (release is null)
                {
                    continue;
                }
                if (release.Commit != commit)
                {
                    notes.Add($"{service.Name}: {candidate.Version} was released from {Release.ShortHash(release.Commit)} before; the tag now points at {Release.ShortHash(commit)}, which is not released again");
                    continue;
                }
                made.Add(release);
                notes.Add($"{service.Name}: release {release.Version} ({Release.ShortHash(commit)})");
            }
        }
        var reason = made.Count > 0 ? delivery.Reason + " → " + string.Join("; ", notes) : string.Join("; ", notes.DefaultIfEmpty("nothing to build after fetching"));
        await deliveries.CompleteAsync(delivery.Id, made.Count > 0 ? DeliveryAction.Build : DeliveryAction.Ignore, reason, made.FirstOrDefault()?.Id, firstCommit, cancellationToken);
        logger.LogInformation("Delivery {Id} ({Provider} {DeliveryId}): {Reason}", delivery.Id, delivery.Provider, delivery.DeliveryId, reason);
        return StepResult.Done();
    }

    public JobKind Kind => JobKind.Delivery;

    Task<StepResult> IJobHandler.StepAsync(long subject, CancellationToken cancellationToken) => StepAsync(subject, cancellationToken);

    Task IJobHandler.AbandonAsync(long subject, string reason, CancellationToken cancellationToken) => AbandonAsync(subject, reason, cancellationToken);
}
