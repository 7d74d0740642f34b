using Microsoft.Extensions.Logging;
using Onward.Contracts.Deployments;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Messages;
using Onward.Core.Pipeline;
using Onward.Core.Releases;
using Onward.Core.Sources;

namespace Onward.Core.Previews;

/// <summary>
/// A preview's job: its head commit fetched (from the branch, or the ref the host keeps a fork's head under) and built
/// as a release of its own, deployed to the preview's environment, followed to its end; or, once it is to go, all of it
/// removed. Each step says on the pull request where the preview stands, in one comment edited in place.
/// </summary>
public sealed class PreviewRunner(
    ConfigSource configuration,
    IPreviewStore previews,
    IReleaseStore releases,
    IDeploymentStore deployments,
    ISourceRepository source,
    DeploymentRequests requests,
    IEnumerable<IPreviewTarget> targets,
    IPullRequestHost host,
    TimeProvider time,
    ILogger<PreviewRunner> logger) : IJobHandler
{
    private static readonly TimeSpan Look = TimeSpan.FromSeconds(1);

    /// <summary>A deployment not moved on for its verification's time and this long is not waited for by a destroy (its job was given up).</summary>
    private static readonly TimeSpan Abandoned = TimeSpan.FromMinutes(2);

    /// <summary>How long a comment the host refused to take waits before it is tried again.</summary>
    private static readonly TimeSpan SayAgain = TimeSpan.FromSeconds(30);

    private OnwardConfig config => configuration.Current;

    public JobKind Kind => JobKind.Preview;

    /// <summary>Makes the live previews' environments part of the configuration in force (this server's view of the table).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var live = await previews.LiveAsync(cancellationToken);
        configuration.SetPreviews(live.Where(p => p.HoldsEnvironment).Select(p => p.Place).ToList(),
            live.Where(p => p.State == PreviewState.Destroying).Select(p => p.Place).ToList());
    }

    public async Task<StepResult> StepAsync(long subject, CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        var preview = await previews.GetAsync(subject, cancellationToken);
        if (preview is null)
        {
            return StepResult.Done();
        }
        var service = config.FindService(preview.Service);
        if (service?.Previews is null)
        {
            if (preview.State is not PreviewState.Destroying)
            {
                // Ended by ExpireAsync once the service's previews stayed away from onward.yaml (not for a replica's lag).
                return preview.State is PreviewState.Destroyed ? StepResult.Done()
                    : StepResult.Wait(TimeSpan.FromSeconds(30), $"this server's onward.yaml has no previews for {preview.Service}");
            }
            // Its service (or the service's previews) left onward.yaml: its target is no longer known. Processes on this
            // host are found by their environment's name; a namespace's cluster is not.
            var local = TargetFor(Targets.TargetKind.Local);
            var stopped = local is null ? "" : await local.DestroyAsync(preview.Service, new EnvironmentConfig(preview.Environment,
                new TargetConfig(new LocalTargetConfig(new Dictionary<string, int>()), null), new EnvironmentPolicy(AutoDeployMode.None, [], false, null, false, OnFailureMode.Halt, [])),
                cancellationToken) + "; ";
            await previews.DestroyedAsync(preview.Id, stopped + "its service's previews are gone from onward.yaml, so a namespace it had on a cluster is left; remove it by hand",
                PreviewConfig.DefaultMax, null, time.GetUtcNow(), cancellationToken);
            await RefreshAsync(cancellationToken);
            return StepResult.Done();
        }
        var result = preview.State switch
        {
            PreviewState.Building => await BuildAsync(service, preview, cancellationToken),
            PreviewState.Deploying => await FollowAsync(service, preview, cancellationToken),
            PreviewState.Destroying => await DestroyAsync(service, preview, cancellationToken),
            _ => null,
        };
        if (result is not null)
        {
            return result;
        }
        // A state that needs no work (ready, failed, waiting, destroyed): the pull request hears of it.
        return await SayAsync(service, (await previews.GetAsync(subject, cancellationToken))!, cancellationToken)
            ? StepResult.Done()
            : StepResult.Wait(SayAgain, "the comment on the pull request could not be written; trying again");
    }

    private async Task<StepResult?> BuildAsync(ServiceConfig service, Preview preview, CancellationToken cancellationToken)
    {
        await SayAsync(service, preview, cancellationToken);
        var (release, problem) = await ReleaseAsync(service, preview, cancellationToken);
        if (problem is not null)
        {
            return await MoveAsync(preview, preview with { State = PreviewState.Failed, Failure = problem }, cancellationToken);
        }
        if (release is null)
        {
            // Built by an external CI, which registers the release of the commit with Onward, within the build's time.
            return time.GetUtcNow() - preview.PushedAt > service.Build.Timeout
                ? await MoveAsync(preview, preview with
                {
                    State = PreviewState.Failed,
                    Failure = $"the CI registered no release of {Release.ShortHash(preview.Commit)} within {DurationText.Format(service.Build.Timeout)} (build.timeout)",
                }, cancellationToken)
                : StepResult.Wait(TimeSpan.FromSeconds(5), $"waiting for the CI to register {Release.ShortHash(preview.Commit)}");
        }
        if (release.Id != preview.ReleaseId && !await previews.MoveAsync(preview, preview with { ReleaseId = release.Id }, time.GetUtcNow(), cancellationToken))
        {
            return StepResult.Wait(TimeSpan.Zero);
        }
        preview = preview with { ReleaseId = release.Id };
        switch (release.State)
        {
            case ReleaseState.Building:
                return StepResult.Wait(Look);
            case ReleaseState.BuildFailed:
                return await MoveAsync(preview, preview with { State = PreviewState.Failed, Failure = "the build failed: " + FirstLine(release.Failure) }, cancellationToken);
        }
        var environment = config.FindEnvironment(preview.Environment);
        if (environment is null)
        {
            return StepResult.Wait(Look, $"{preview.Environment} is not in this server's configuration yet");
        }
        var url = await UrlAsync(service, environment, preview, cancellationToken);
        var outcome = await requests.RequestAsync(new DeploymentRequest(service.Name, environment.Name, release.Version, null,
            $"preview of pull request #{preview.Number} ({preview.Branch})", null, Actors.Onward, DeploymentTrigger.Auto), cancellationToken);
        if (outcome.Deployment is not { State: not DeploymentState.Blocked } deployment)
        {
            return await MoveAsync(preview, preview with { State = PreviewState.Failed, Failure = outcome.Detail ?? "the deployment could not be requested", Url = url }, cancellationToken);
        }
        return await MoveAsync(preview, preview with { State = PreviewState.Deploying, DeploymentId = deployment.Id, Url = url }, cancellationToken) ?? StepResult.Wait(Look);
    }

    /// <summary>
    /// The release of the preview's head commit: made (and built) where there is none; null while an external CI has
    /// not registered it. The commit is fetched first where the mirror lacks it (a host may name it abbreviated).
    /// </summary>
    private async Task<(Release? Release, string? Problem)> ReleaseAsync(ServiceConfig service, Preview preview, CancellationToken cancellationToken)
    {
        string? commit = CommitId.IsFull(preview.Commit) ? preview.Commit : null;
        if (service.Build.External is null)
        {
            commit = await source.ResolveCommitAsync(service.Name, preview.Commit, cancellationToken);
            if (commit is null)
            {
                await source.FetchAsync(service.Name, service.Repository, cancellationToken);
                commit = await source.ResolveCommitAsync(service.Name, preview.Commit, cancellationToken);
            }
            if (commit is null && preview.HeadRef is not null && await source.FetchPreviewHeadAsync(service.Name, service.Repository, preview.HeadRef, preview.Number, cancellationToken))
            {
                commit = await source.ResolveCommitAsync(service.Name, preview.Commit, cancellationToken);
            }
            if (commit is null)
            {
                return (null, $"commit {Release.ShortHash(preview.Commit)} of branch '{preview.Branch}' is not in {service.Repository.Url}"
                    + (preview.HeadRef is null ? "" : $" (nor under {preview.HeadRef})") + "; push it again, or check the repository's URL and credentials");
            }
        }
        var version = Release.ShortHash(commit ?? preview.Commit);
        if (preview.ReleaseId is { } known && await releases.GetAsync(known, cancellationToken) is { } kept && kept.Commit.StartsWith(preview.Commit, StringComparison.Ordinal))
        {
            return (kept, null);
        }
        if (await releases.FindAsync(service.Name, version, cancellationToken) is { } existing)
        {
            return existing.Commit.StartsWith(preview.Commit, StringComparison.Ordinal)
                ? (existing, null)
                : (null, $"{version} is already the release of {existing.Commit}; the short hashes of two commits collide");
        }
        if (commit is null)
        {
            return (null, null);
        }
        var made = await releases.AddAsync(new NewRelease(service.Name, version, commit, preview.Branch, RefKind.Branch, false) { Preview = preview.Number },
            time.GetUtcNow(), cancellationToken);
        return (made ?? await releases.FindAsync(service.Name, version, cancellationToken), null);
    }

    private async Task<StepResult?> FollowAsync(ServiceConfig service, Preview preview, CancellationToken cancellationToken)
    {
        var deployment = preview.DeploymentId is { } id ? await deployments.GetAsync(id, cancellationToken) : null;
        if (deployment is null)
        {
            return await MoveAsync(preview, preview with { State = PreviewState.Building, DeploymentId = null }, cancellationToken);
        }
        await SayAsync(service, preview, cancellationToken);
        return deployment.State switch
        {
            DeploymentState.Succeeded => await MoveAsync(preview, preview with { State = PreviewState.Ready, Failure = null }, cancellationToken),
            DeploymentState.Failed or DeploymentState.Blocked or DeploymentState.Rejected or DeploymentState.Cancelled or DeploymentState.Superseded =>
                await MoveAsync(preview, preview with
                {
                    State = PreviewState.Failed,
                    Failure = $"deployment {deployment.Id} {deployment.State.ToString().ToLowerInvariant()}: {FirstLine(deployment.Reason)}",
                }, cancellationToken),
            _ => StepResult.Wait(Look),
        };
    }

    private async Task<StepResult?> DestroyAsync(ServiceConfig service, Preview preview, CancellationToken cancellationToken)
    {
        // What waits is cancelled; what is under way ends first (its environment left the configuration, so it is
        // finished or cancelled by its own job), so that nothing is started after what runs was removed.
        // Only this life of the preview counts: what an earlier one (destroyed, then back) left is over.
        foreach (var deployment in (await deployments.ListAsync(new DeploymentQuery(service.Name, preview.Environment, null, 100), cancellationToken))
            .Where(d => d.CreatedAt >= preview.CreatedAt))
        {
            if (DeploymentStates.Waiting.Contains(deployment.State))
            {
                if (!await deployments.TransitionAsync(deployment.Id, new Transition(deployment.State, DeploymentState.Cancelled, Actors.Onward,
                    $"the preview is being destroyed: {preview.Ending}"), time.GetUtcNow(), cancellationToken))
                {
                    // It moved on meanwhile (started to apply): look at all of them again.
                    return StepResult.Wait(TimeSpan.Zero);
                }
            }
            else if ((deployment.State is DeploymentState.Applying or DeploymentState.Verifying
                    || (deployment.State == DeploymentState.Failed && deployment.RestoreState.InProgress()))
                && time.GetUtcNow() - deployment.UpdatedAt < service.VerifyTimeout + Abandoned)
            {
                return StepResult.Wait(Look, $"waiting for deployment {deployment.Id} to end before {preview.Environment} is destroyed");
            }
        }
        var environment = PreviewEnvironments.Make(config, preview.Place);
        string note;
        if (environment is null)
        {
            note = $"nothing removed: {service.Name}'s previews.from environment is gone from onward.yaml, so its target is unknown";
        }
        else if (TargetFor(environment.Target.Kind) is not { } target)
        {
            return StepResult.Wait(TimeSpan.FromSeconds(5), $"no {environment.Target.Kind} target runs here");
        }
        else if (await target.DestroyAsync(service.Name, environment, cancellationToken) is { } done)
        {
            note = done;
        }
        else
        {
            return StepResult.Wait(Look, $"{preview.Environment} is being removed");
        }
        await previews.DestroyedAsync(preview.Id, note, service.Previews!.Max, service.Previews.Ports, time.GetUtcNow(), cancellationToken);
        logger.LogInformation("{Environment} destroyed: {Note}", preview.Environment, note);
        await RefreshAsync(cancellationToken);
        return null;
    }

    /// <summary>Moves the preview on and says so; a push or a destroy that came in between makes the step run again at once.</summary>
    private async Task<StepResult?> MoveAsync(Preview was, Preview next, CancellationToken cancellationToken)
    {
        if (!await previews.MoveAsync(was, next, time.GetUtcNow(), cancellationToken))
        {
            return StepResult.Wait(TimeSpan.Zero);
        }
        return next.State is PreviewState.Ready or PreviewState.Failed ? null : StepResult.Wait(Look);
    }

    private async Task<string?> UrlAsync(ServiceConfig service, EnvironmentConfig environment, Preview preview, CancellationToken cancellationToken)
    {
        if (service.Previews!.Url is { } template)
        {
            return PreviewConfig.Fill(template, service.Name, preview.Number);
        }
        return TargetFor(environment.Target.Kind) is { } target ? await target.AddressAsync(service, environment, cancellationToken) : null;
    }

    private IPreviewTarget? TargetFor(Targets.TargetKind kind) => targets.FirstOrDefault(t => t.Kind == kind);

    /// <summary>Makes the pull request's comment say where the preview stands; false when the host would not take it.</summary>
    private async Task<bool> SayAsync(ServiceConfig service, Preview preview, CancellationToken cancellationToken)
    {
        if (service.Report is not { } report)
        {
            return true;
        }
        var text = PreviewComment.Of(preview, config.Server.LinkBase, PreviewComment.Mark(report.Token, preview.Service, preview.Number));
        if (text == preview.Said)
        {
            return true;
        }
        var (commentId, error, again) = await host.SayAsync(report, preview, text, cancellationToken);
        if (commentId is null)
        {
            logger.LogWarning("{Environment}: the comment on pull request #{Number} could not be written{Again}: {Error}", preview.Environment, preview.Number,
                again ? " (tried again later)" : "", error);
            if (again)
            {
                return false;
            }
            // Refused for good (no right to comment, say): not asked again until the preview changes.
        }
        await previews.SaidAsync(preview.Id, commentId ?? preview.CommentId, text, cancellationToken);
        return true;
    }

    private static string FirstLine(string? text) => TextCut.Within((text ?? "no reason given").Split('\n')[0].Trim(), 300);

    /// <summary>
    /// A step that kept failing: a preview being made fails with the reason; one being destroyed is recorded destroyed
    /// with what could not be removed, so that it neither hangs nor holds a place under <c>max</c>.
    /// </summary>
    public async Task AbandonAsync(long subject, string reason, CancellationToken cancellationToken)
    {
        var preview = await previews.GetAsync(subject, cancellationToken);
        if (preview is { State: PreviewState.Building or PreviewState.Deploying })
        {
            await previews.MoveAsync(preview, preview with { State = PreviewState.Failed, Failure = FirstLine(reason) }, time.GetUtcNow(), cancellationToken);
        }
        else if (preview is { State: PreviewState.Destroying })
        {
            var settings = config.FindService(preview.Service)?.Previews;
            await previews.DestroyedAsync(preview.Id, $"what it ran could not be removed ({FirstLine(reason)}); remove it by hand",
                settings?.Max ?? PreviewConfig.DefaultMax, settings?.Ports, time.GetUtcNow(), cancellationToken);
            logger.LogWarning("{Environment} is recorded destroyed, but what it ran could not be removed: {Reason}", preview.Environment, reason);
        }
    }
}
