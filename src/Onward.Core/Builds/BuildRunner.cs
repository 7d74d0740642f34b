using Microsoft.Extensions.Logging;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;
using Onward.Core.Releases;
using Onward.Core.Insight;

namespace Onward.Core.Builds;

/// <summary>
/// Moves a release through its build, then hands a built release to continuous delivery (rule 3 of docs/ARCHITECTURE.md): every
/// environment with <c>autoDeploy: main</c> gets it.
/// </summary>
public sealed class BuildRunner(
    ConfigSource configuration,
    IReleaseStore releases,
    IDeploymentStore deployments,
    IBuilder builder,
    DeploymentRequests requests,
    TimeProvider time,
    IOnwardMetrics metrics,
    ILogger<BuildRunner> logger) : IJobHandler, IDisposable
{
    private OnwardConfig config => configuration.Current;

    private readonly SemaphoreSlim _startGate = new(1, 1);

    // Deliveries take turns (here, and across replicas with the store's delivery turn), so that two builds ending
    // together cannot both find no newer release and then queue in the wrong order (the older superseding the newer).
    private readonly SemaphoreSlim _deliverGate = new(1, 1);

    public void Dispose()
    {
        _startGate.Dispose();
        _deliverGate.Dispose();
    }

    public async Task<StepResult> StepAsync(long releaseId, CancellationToken cancellationToken)
    {
        var release = await releases.GetAsync(releaseId, cancellationToken);
        if (release is null || release.State == ReleaseState.BuildFailed)
        {
            return StepResult.Done();
        }
        var service = config.FindService(release.Service);
        if (service is null)
        {
            // Asked for by a replica whose onward.yaml has the service already: this one's may follow soon.
            return time.GetUtcNow() - release.CreatedAt < DeploymentRunner.ConfigurationLag
                ? StepResult.Wait(TimeSpan.FromSeconds(5), $"this server's onward.yaml has no service {release.Service} (yet)")
                : StepResult.Done();
        }
        if (release.State == ReleaseState.Built)
        {
            await DeliverAsync(release, cancellationToken);
            return StepResult.Done();
        }
        if (release.BuildStartedAt is null)
        {
            // At most `server.builds` builds run at once; the check and the start are one step for this server.
            await _startGate.WaitAsync(cancellationToken);
            try
            {
                if (await releases.CountRunningBuildsAsync(cancellationToken) >= config.Server.Builds)
                {
                    return StepResult.Wait(TimeSpan.FromMilliseconds(500), "waiting for a free build slot");
                }
                await releases.MarkBuildingAsync(release.Id, time.GetUtcNow(), cancellationToken);
            }
            finally
            {
                _startGate.Release();
            }
            release = release with { BuildStartedAt = time.GetUtcNow() };
        }
        if (time.GetUtcNow() - release.BuildStartedAt > service.Build.Timeout)
        {
            await builder.CancelAsync(release, cancellationToken);
            var reason = $"the build exceeded its timeout of {DurationText.Format(service.Build.Timeout)} and was stopped";
            await releases.MarkBuildFailedAsync(release.Id, reason, time.GetUtcNow(), cancellationToken);
            logger.LogWarning("Build of {Service} {Version} timed out", release.Service, release.Version);
            return StepResult.Fail(reason);
        }
        var progress = await builder.StepAsync(release, service, cancellationToken);
        var result = progress.Step;
        switch (result)
        {
            case StepResult.Succeeded:
                await releases.MarkBuiltAsync(release.Id, progress.Result ?? new BuildResult(null, null, null), time.GetUtcNow(), cancellationToken);
                Measure(release, "built", null);
                logger.LogInformation("Built {Service} {Version} ({Commit})", release.Service, release.Version, release.Commit);
                await DeliverAsync(release, cancellationToken);
                return result;
            case StepResult.Failed failed:
                var failure = failed.Diagnosis is null ? failed.Reason : failed.Reason + "\n" + failed.Diagnosis;
                await releases.MarkBuildFailedAsync(release.Id, failure, time.GetUtcNow(), cancellationToken);
                // The log ends by saying so, where the person reading it looks last.
                await builder.NoteAsync(release, $"the build failed: {failed.Reason}", cancellationToken);
                Measure(release, "failed", failed.Reason);
                logger.LogWarning("Build of {Service} {Version} failed: {Reason}", release.Service, release.Version, failed.Reason);
                return result;
            default:
                return result;
        }
    }

    /// <summary>Records in the build log an attempt that failed and will be tried again.</summary>
    public async Task NoteAttemptAsync(long releaseId, string note, CancellationToken cancellationToken)
    {
        if (await releases.GetAsync(releaseId, cancellationToken) is { } release)
        {
            await builder.NoteAsync(release, note, cancellationToken);
        }
    }

    /// <summary>Ends a build whose step keeps throwing, so that it never hangs unseen.</summary>
    public Task AbandonAsync(long releaseId, string reason, CancellationToken cancellationToken) =>
        releases.MarkBuildFailedAsync(releaseId, reason, time.GetUtcNow(), cancellationToken);

    /// <summary>Idempotent: environments that already have a deployment of this release are left alone.</summary>
    public async Task DeliverAsync(Release release, CancellationToken cancellationToken)
    {
        await _deliverGate.WaitAsync(cancellationToken);
        try
        {
            await using var turn = await deployments.DeliveryTurnAsync(release.Service, cancellationToken);
            await DeliverInTurnAsync(release, cancellationToken);
        }
        finally
        {
            _deliverGate.Release();
        }
    }

    private async Task DeliverInTurnAsync(Release release, CancellationToken cancellationToken)
    {
        // A pull request's build goes to its preview only (the preview's job deploys it), unless the main line took
        // the same commit since (read afresh: a kept copy may be from before).
        if (release.Preview is not null && (await releases.FindAsync(release.Service, release.Version, cancellationToken))?.Preview is not null)
        {
            return;
        }
        var existing = await deployments.ListAsync(
            new DeploymentQuery(release.Service, null, null, int.MaxValue) { ReleaseId = release.Id }, cancellationToken);
        var targets = config.Environments
            .Where(e => e.Policy.AutoDeploy == AutoDeployMode.Main)
            .Where(e => !existing.Any(d => d.Environment == e.Name));
        await Task.WhenAll(targets.Select(async environment =>
        {
            if (config.FindService(release.Service) is { } service && await requests.NewerAsync(service, environment, release, cancellationToken) is { } newer)
            {
                logger.LogInformation("{Service} {Version} is not delivered to {Environment}: {Newer} came after it and is there or on its way (deployment {Id})",
                    release.Service, release.Version, environment.Name, newer.Version, newer.Id);
                return;
            }
            await requests.RequestAsync(
                new DeploymentRequest(release.Service, environment.Name, release.Version, null, "continuous delivery of a new build", null, Actors.Onward, DeploymentTrigger.Auto),
                cancellationToken);
        }));
    }

    private void Measure(Release release, string outcome, string? failure)
    {
        if (release.BuildStartedAt is { } started)
        {
            var now = time.GetUtcNow();
            metrics.BuildEnded(release.Service, outcome, now - started);
            ReleaseTraces.Build(release, started, now, outcome, failure);
        }
    }

    public JobKind Kind => JobKind.Build;

    Task<StepResult> IJobHandler.StepAsync(long subject, CancellationToken cancellationToken) => StepAsync(subject, cancellationToken);

    Task IJobHandler.AbandonAsync(long subject, string reason, CancellationToken cancellationToken) => AbandonAsync(subject, reason, cancellationToken);

    Task IJobHandler.NoteAttemptAsync(long subject, string note, CancellationToken cancellationToken) => NoteAttemptAsync(subject, note, cancellationToken);
}
