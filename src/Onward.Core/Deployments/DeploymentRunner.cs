using System.Collections.Concurrent;
using Onward.Contracts.Deployments;
using Microsoft.Extensions.Logging;
using Onward.Core.Approvals;
using Onward.Core.Canaries;
using Onward.Core.Configuration;
using Onward.Core.Flags;
using Onward.Core.Messages;
using Onward.Core.Pipeline;
using Onward.Core.Promotions;
using Onward.Core.Releases;
using Onward.Core.Targets;
using Onward.Core.Insight;
using Onward.Core.Sources;

namespace Onward.Core.Deployments;

/// <summary>
/// Moves one deployment a step along <c>AwaitingApproval → Queued → Applying → Verifying → Succeeded | Failed</c>.
/// Each call does what can be done now and returns; the worker calls again after a <c>Pending</c>.
/// </summary>
public sealed class DeploymentRunner(
    ConfigSource configuration,
    IDeploymentStore deployments,
    IReleaseStore releases,
    DeploymentRequests requests,
    DeploymentApprovals approvals,
    ReleasePromotions promotions,
    IEnumerable<IDeploymentTarget> targets,
    TimeProvider time,
    IOnwardMetrics metrics,
    ILogger<DeploymentRunner> logger,
    ReleaseFlags? flags = null,
    ISourceRepository? source = null,
    CanaryRunner? canaries = null) : IJobHandler
{
    private OnwardConfig config => configuration.Current;

    private static readonly TimeSpan WaitForEnvironment = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a deployment of a service or environment this server's configuration lacks waits for an edit to reach it before it is cancelled.</summary>
    public static readonly TimeSpan ConfigurationLag = TimeSpan.FromMinutes(2);

    /// <summary>How long a deployment to a preview this server does not know (yet) waits before it is cancelled.</summary>
    private static readonly TimeSpan PreviewLag = TimeSpan.FromSeconds(10);

    /// <summary>The longest progress text kept; a longer one (a long condition message) is cut.</summary>
    private const int MostProgress = 500;

    // Waits for a freeze or for approvals are looked at again at least this often, so that a lifted freeze or a
    // changed config is noticed without a wake.
    private static readonly TimeSpan LookAgainAtMost = TimeSpan.FromSeconds(15);

    // A promotion that could not be requested (git or the database unavailable) is tried again this often, for as
    // long as it takes: giving up would lose it silently.
    private static readonly TimeSpan PromoteAgainAfter = TimeSpan.FromSeconds(30);
    private readonly Dictionary<TargetKind, IDeploymentTarget> _targets = targets.ToDictionary(t => t.Kind);

    /// <summary>
    /// The service and environment each deployment in flight started under: a reload of onward.yaml applies to the
    /// deployments that start after it, while one already applying or verifying finishes as it began.
    /// </summary>
    private readonly ConcurrentDictionary<long, (ServiceConfig Service, EnvironmentConfig Environment)> _startedUnder = new();

    public async Task<StepResult> StepAsync(long deploymentId, CancellationToken cancellationToken)
    {
        var result = await StepOnceAsync(deploymentId, cancellationToken);
        if (result is not StepResult.Pending)
        {
            _startedUnder.TryRemove(deploymentId, out _);
        }
        return result;
    }

    private (ServiceConfig? Service, EnvironmentConfig? Environment) ConfigurationOf(Deployment deployment)
    {
        var inFlight = deployment.State is DeploymentState.Applying or DeploymentState.Verifying
            || (deployment.State == DeploymentState.Failed && deployment.RestoreState.InProgress());
        if (inFlight && _startedUnder.TryGetValue(deployment.Id, out var pinned))
        {
            return pinned;
        }
        var (service, environment) = (config.FindService(deployment.Service), config.FindEnvironment(deployment.Environment));
        if (inFlight && service is not null && environment is not null)
        {
            _startedUnder[deployment.Id] = (service, environment);
        }
        return (service, environment);
    }

    private async Task<StepResult> StepOnceAsync(long deploymentId, CancellationToken cancellationToken)
    {
        var deployment = await deployments.GetAsync(deploymentId, cancellationToken);
        if (deployment?.State == DeploymentState.Succeeded)
        {
            // Also reached when a crash or an error came between the success and the promotion: promoting is idempotent.
            return await PromoteAsync(deployment, StepResult.Done(), cancellationToken);
        }
        if (deployment is null || (deployment.State.IsTerminal() && !deployment.RestoreState.InProgress()))
        {
            return StepResult.Done();
        }
        var (service, environment) = ConfigurationOf(deployment);
        var release = await releases.GetAsync(deployment.ReleaseId, cancellationToken);
        // A preview's environment comes from the database, which every replica reads again each second (not from a file
        // edited later on one): a preview's deployment waits for it briefly.
        var preview = service?.PreviewNumberOf(deployment.Environment) is not null;
        if ((service is null || environment is null) && release is not null && time.GetUtcNow() - deployment.CreatedAt < (preview ? PreviewLag : ConfigurationLag))
        {
            // Another replica, whose onward.yaml was edited first, may have asked for it: this one's edit may be on its way.
            return StepResult.Wait(TimeSpan.FromSeconds(5), $"this server's onward.yaml has no {(service is null ? "service " + deployment.Service : "environment " + deployment.Environment)} (yet)");
        }
        if (service is null || environment is null || release is null)
        {
            await deployments.TransitionAsync(deployment.Id, new Transition(deployment.State, DeploymentState.Cancelled, Actors.Onward,
                preview ? "the preview is being destroyed" : "the service or environment is no longer configured"), time.GetUtcNow(), cancellationToken);
            return StepResult.Done();
        }
        if (!_targets.TryGetValue(environment.Target.Kind, out var target))
        {
            return await FailAsync(deployment, null, StepResult.Fail($"no '{environment.Target.Kind.ToString().ToLowerInvariant()}' target is available in this server"), cancellationToken);
        }

        if (deployment.State == DeploymentState.Failed)
        {
            return await RestoreStepAsync(deployment, await ContextAsync(deployment, service, environment, release, cancellationToken), target, cancellationToken);
        }

        if (deployment.State == DeploymentState.AwaitingApproval)
        {
            if (await WaitForApprovalAsync(deployment, environment, cancellationToken) is { } waiting)
            {
                return waiting;
            }
            deployment = (await deployments.GetAsync(deploymentId, cancellationToken))!;
        }

        if (deployment.State == DeploymentState.Queued)
        {
            if (await StartApplyingAsync(deployment, service, environment, release, cancellationToken) is { } notStarted)
            {
                return notStarted;
            }
            deployment = (await deployments.GetAsync(deploymentId, cancellationToken))!;
            _startedUnder[deployment.Id] = (service, environment);
        }
        if (deployment.State is not (DeploymentState.Applying or DeploymentState.Verifying))
        {
            // Changed under this step (rejected, cancelled, superseded, or queued by an approval just now): look again.
            return deployment.State.IsTerminal() ? StepResult.Done() : StepResult.Wait(TimeSpan.Zero);
        }

        var context = await ContextAsync(deployment, service, environment, release, cancellationToken);
        if (deployment.State == DeploymentState.Applying)
        {
            if (flags is not null && await flags.CheckAsync(service, environment, release, cancellationToken) is { } badFlags)
            {
                return await FailAsync(deployment, context, StepResult.Fail($"invalid flags, nothing was applied: {release.Version}: {badFlags}"), cancellationToken, target);
            }
            var applied = await target.ApplyAsync(context, cancellationToken);
            if (applied is not StepResult.Succeeded)
            {
                return applied is StepResult.Failed ? await FailAsync(deployment, context, applied, cancellationToken, target) : applied;
            }
            await deployments.TransitionAsync(deployment.Id, new Transition(DeploymentState.Applying, DeploymentState.Verifying, Actors.Onward,
                ((StepResult.Succeeded)applied).Output ?? "applied; verifying"), time.GetUtcNow(), cancellationToken);
            deployment = deployment with { State = DeploymentState.Verifying };
            context = context with { Deployment = deployment };
        }

        var canaryTarget = context.Canary is not null && canaries is not null ? target as ICanaryTarget : null;
        var canaryStarted = canaryTarget is not null && await canaries!.StartedAsync(deployment.Id, cancellationToken);
        var verified = canaryStarted ? StepResult.Done("verified") : await target.VerifyAsync(context, cancellationToken);
        if (verified is StepResult.Succeeded { Output: var verifiedOutput } && canaryTarget is not null)
        {
            if (!canaryStarted)
            {
                await deployments.AppendEventAsync(deployment.Id, Actors.Onward, verifiedOutput ?? "verified", time.GetUtcNow(), cancellationToken);
            }
            var canary = await canaries!.StepAsync(context, context.Canary!, canaryTarget, cancellationToken);
            if (canary is StepResult.Failed)
            {
                return await FailAsync(deployment, context, canary, cancellationToken, target, canaryEnded: true);
            }
            // A canary that goes on is shown and waited for as a verification's progress is, below.
            verified = canary is StepResult.Pending ? canary : StepResult.Done($"verified, and the canary held at every step ({verifiedOutput})");
        }
        switch (verified)
        {
            case StepResult.Succeeded done:
                foreach (var note in await target.PromoteAsync(context, cancellationToken))
                {
                    await deployments.AppendEventAsync(deployment.Id, Actors.Onward, note, time.GetUtcNow(), cancellationToken);
                }
                await ShipFlagsAsync(deployment, cancellationToken);
                var message = done.Output ?? "verified";
                if (await deployments.TransitionAsync(deployment.Id, new Transition(DeploymentState.Verifying, DeploymentState.Succeeded, Actors.Onward, message),
                        time.GetUtcNow(), cancellationToken))
                {
                    logger.LogInformation("Deployment {Id}: {Service} {Version} succeeded in {Environment}",
                        deployment.Id, deployment.Service, deployment.Version, deployment.Environment);
                    await MeasureAsync(deployment, context.Release, "succeeded", null, cancellationToken);
                    return await PromoteAsync(deployment with { State = DeploymentState.Succeeded }, verified, cancellationToken);
                }
                return verified;
            case StepResult.Failed:
                return await FailAsync(deployment, context, verified, cancellationToken, target);
            case StepResult.Pending { Progress: { } progress } when progress != deployment.Progress:
                // What the verification heard is shown as it changes, in the timeline and on the deployment: a
                // health URL answering 503, a rollout waiting for replicas. The same answer again writes nothing.
                await deployments.SetProgressAsync(deployment.Id, DeploymentState.Verifying, TextCut.Within(progress, MostProgress), Actors.Onward, time.GetUtcNow(), cancellationToken);
                return verified;
            default:
                return verified;
        }
    }

    /// <summary>Records in the timeline an attempt that failed and will be tried again.</summary>
    public Task NoteAttemptAsync(long deploymentId, string note, CancellationToken cancellationToken) =>
        deployments.AppendEventAsync(deploymentId, Actors.Onward, note, time.GetUtcNow(), cancellationToken);

    /// <summary>Ends a deployment whose step keeps throwing, so that it never hangs unseen.</summary>
    public async Task AbandonAsync(long deploymentId, string reason, CancellationToken cancellationToken)
    {
        var deployment = await deployments.GetAsync(deploymentId, cancellationToken);
        if (deployment is null || deployment.State.IsTerminal())
        {
            return;
        }
        reason += await AbandonCanaryAsync(deployment, cancellationToken);
        await deployments.TransitionAsync(deployment.Id, new Transition(deployment.State, DeploymentState.Failed, Actors.Onward, reason)
        {
            Reason = reason,
        }, time.GetUtcNow(), cancellationToken);
    }

    /// <summary>A canary of a deployment given up on loses its share of the requests; what was done, as a clause of the reason.</summary>
    private async Task<string> AbandonCanaryAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        var (service, environment) = ConfigurationOf(deployment);
        if (canaries is null || service is null || environment is null || !_targets.TryGetValue(environment.Target.Kind, out var target) || target is not ICanaryTarget canaryTarget
            || await releases.GetAsync(deployment.ReleaseId, cancellationToken) is not { } release)
        {
            return "";
        }
        try
        {
            var context = await ContextAsync(deployment, service, environment, release, cancellationToken);
            return await canaries.AbandonAsync(context, canaryTarget, cancellationToken) is { } done ? "; canary ended: " + done : "";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Deployment {Id}: the canary of a deployment given up on could not be ended", deployment.Id);
            return $"; ending its canary failed too ({e.Message}): look at the stable port or route by hand";
        }
    }

    /// <returns>Null once the deployment no longer waits for approval (it is queued now), else what the worker should do.</returns>
    private async Task<StepResult?> WaitForApprovalAsync(Deployment deployment, EnvironmentConfig environment, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (environment.Policy.Approval is not { } policy)
        {
            await deployments.TransitionAsync(deployment.Id, new Transition(DeploymentState.AwaitingApproval, DeploymentState.Queued, Actors.Onward,
                $"{environment.Name} no longer requires approval"), now, cancellationToken);
            return null;
        }
        var expires = ApprovalRules.ExpiresAt(policy, deployment);
        if (now < expires)
        {
            return StepResult.Wait(Min(expires - now, LookAgainAtMost));
        }
        if (await approvals.ExpireAsync(deployment, policy, cancellationToken))
        {
            logger.LogWarning("Deployment {Id} cancelled: {Reason}", deployment.Id, ApprovalRules.Expired(policy));
            return StepResult.Done();
        }
        // A decision came in at the same moment and ended the wait: look again at what it left.
        return StepResult.Wait(TimeSpan.Zero);
    }

    private async Task<StepResult> PromoteAsync(Deployment succeeded, StepResult done, CancellationToken cancellationToken)
    {
        try
        {
            // Shipped before the success already; again here (idempotent) in case a crash came in between.
            await ShipFlagsAsync(succeeded, cancellationToken);
            await promotions.AfterSuccessAsync(succeeded, cancellationToken);
            return done;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Deployment {Id}: promoting {Service} {Version} failed; trying again in {Delay}",
                succeeded.Id, succeeded.Service, succeeded.Version, PromoteAgainAfter);
            return StepResult.Wait(PromoteAgainAfter, "promotion pending");
        }
    }

    /// <summary>The release's flags become the service's in the environment, with an event saying what changed.</summary>
    private async Task ShipFlagsAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        if (flags is not null && config.FindService(deployment.Service) is { } service && await releases.GetAsync(deployment.ReleaseId, cancellationToken) is { } release
            && await flags.ShipAsync(service, deployment, release, cancellationToken) is { } shipped)
        {
            await deployments.AppendEventAsync(deployment.Id, Actors.Onward, shipped, time.GetUtcNow(), cancellationToken);
        }
    }

    /// <returns>Null when this deployment now holds the environment (<c>Applying</c>), else what the worker should do.</returns>
    private async Task<StepResult?> StartApplyingAsync(
        Deployment deployment, ServiceConfig service, EnvironmentConfig environment, Release release, CancellationToken cancellationToken)
    {
        // The policies are checked again at the moment of applying (rule 8 of docs/ARCHITECTURE.md): the environment may have moved
        // on, or frozen, since the request and its approval.
        var verdict = deployment.Override is null
            ? await requests.CheckPoliciesAsync(service, environment, release, cancellationToken)
            : PolicyVerdict.Allowed;
        var now = time.GetUtcNow();
        if (verdict.Blocked is { } blocked)
        {
            await deployments.TransitionAsync(deployment.Id, new Transition(DeploymentState.Queued, DeploymentState.Blocked, Actors.Onward, blocked)
            {
                Reason = blocked,
            }, now, cancellationToken);
            logger.LogWarning("Deployment {Id} blocked: {Reason}", deployment.Id, blocked);
            return StepResult.Done();
        }
        if (verdict.Freeze is { } freeze)
        {
            if (deployment.Waiting != freeze.Why || deployment.WaitingUntil != freeze.Until)
            {
                await deployments.TransitionAsync(deployment.Id, new Transition(DeploymentState.Queued, DeploymentState.Queued, Actors.Onward,
                    $"waiting: {freeze}")
                {
                    Waiting = freeze.Why,
                    WaitingUntil = freeze.Until,
                }, now, cancellationToken);
                logger.LogInformation("Deployment {Id} waits until {Until}: {Why}", deployment.Id, freeze.Until, freeze.Why);
            }
            return StepResult.Wait(Min(freeze.Until - now, LookAgainAtMost));
        }
        var current = await deployments.CurrentAsync(service.Name, environment.Name, cancellationToken);
        var from = current is null ? "" : $" (replacing {current.Version})";
        var started = await deployments.TransitionAsync(deployment.Id, new Transition(DeploymentState.Queued, DeploymentState.Applying, Actors.Onward,
            $"applying {release.Version} to {environment.Name}{from}")
        {
            RequireEnvironmentFree = true,
            PreviousDeploymentId = current?.Id,
            VerifyDeadline = now + service.VerifyTimeout,
        }, now, cancellationToken);
        if (started)
        {
            return null;
        }
        var latest = await deployments.GetAsync(deployment.Id, cancellationToken);
        return latest is null || latest.State.IsTerminal() ? StepResult.Done() : StepResult.Wait(WaitForEnvironment);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? (a < TimeSpan.Zero ? TimeSpan.Zero : a) : b;

    private async Task<TargetContext> ContextAsync(
        Deployment deployment, ServiceConfig service, EnvironmentConfig environment, Release release, CancellationToken cancellationToken)
    {
        (Deployment, Release)? previous = null;
        if (deployment.PreviousDeploymentId is { } previousId
            && await deployments.GetAsync(previousId, cancellationToken) is { } previousDeployment
            && await releases.GetAsync(previousDeployment.ReleaseId, cancellationToken) is { } previousRelease)
        {
            previous = (previousDeployment, previousRelease);
        }
        return new TargetContext(service, environment, deployment, release, previous)
        {
            // A canary needs a running release to compare with and send the rest of the requests to.
            Canary = previous is { } running && running.Item2.Id != release.Id ? service.CanaryIn(environment) : null,
        };
    }

    /// <param name="canaryEnded">A canary failed and its traffic went back already.</param>
    private async Task<StepResult> FailAsync(
        Deployment deployment, TargetContext? context, StepResult failure, CancellationToken cancellationToken, IDeploymentTarget? target = null, bool canaryEnded = false)
    {
        var failed = (StepResult.Failed)failure;
        var restore = target is not null && context is not null && context.Environment.Policy.OnFailure == OnFailureMode.Restore;
        var canaryNote = "";
        if (context?.Canary is not null && target is ICanaryTarget canaryTarget)
        {
            // The running release kept its traffic all along: there is nothing to restore, only the canary to remove.
            canaryNote = canaryEnded ? "" : "; " + await canaryTarget.AbortCanaryAsync(context, cancellationToken);
            restore = false;
        }
        if (restore && context!.Previous is { } previous)
        {
            // The failure is recorded at once; bringing back the previous release follows as further steps of this
            // job, so that a crash in between resumes the restore instead of losing it.
            var recorded = await deployments.TransitionAsync(deployment.Id, new Transition(deployment.State, DeploymentState.Failed, Actors.Onward,
                $"{failed.Reason}; restoring {previous.Release.Version}")
            {
                Reason = failed.Reason,
                Diagnosis = failed.Diagnosis,
                RestoreState = RestoreState.Pending,
            }, time.GetUtcNow(), cancellationToken);
            if (recorded)
            {
                logger.LogWarning("Deployment {Id}: {Service} {Version} failed in {Environment}: {Reason}; restoring {Previous}",
                    deployment.Id, deployment.Service, deployment.Version, deployment.Environment, failed.Reason, previous.Release.Version);
                await MeasureAsync(deployment, context!.Release, "failed", failed.Reason, cancellationToken);
            }
            return StepResult.Wait(TimeSpan.Zero);
        }
        var note = canaryNote.Length > 0 || canaryEnded ? canaryNote
            : restore ? "; " + await target!.RestoreAsync(context!, cancellationToken)
            : context?.Environment.Policy.OnFailure == OnFailureMode.Halt ? "; onFailure is halt, nothing else was done"
            : "";
        var ok = await deployments.TransitionAsync(deployment.Id, new Transition(deployment.State, DeploymentState.Failed, Actors.Onward, failed.Reason + note)
        {
            Reason = failed.Reason,
            Diagnosis = failed.Diagnosis,
        }, time.GetUtcNow(), cancellationToken);
        if (ok)
        {
            logger.LogWarning("Deployment {Id}: {Service} {Version} failed in {Environment}: {Reason}",
                deployment.Id, deployment.Service, deployment.Version, deployment.Environment, failed.Reason);
            await MeasureAsync(deployment, context?.Release, "failed", failed.Reason, cancellationToken);
        }
        return failure;
    }

    /// <summary>After a failure: re-apply the previous release (once), then verify it like any rollout.</summary>
    private async Task<StepResult> RestoreStepAsync(Deployment deployment, TargetContext context, IDeploymentTarget target, CancellationToken cancellationToken)
    {
        if (context.Previous is not { } previous)
        {
            await deployments.TransitionAsync(deployment.Id, new Transition(DeploymentState.Failed, DeploymentState.Failed, Actors.Onward,
                "the previous release is gone; nothing to restore")
            { RestoreState = RestoreState.Failed }, time.GetUtcNow(), cancellationToken);
            return StepResult.Done();
        }
        if (deployment.RestoreState == RestoreState.Pending)
        {
            var applied = await target.RestoreAsync(context, cancellationToken);
            await deployments.TransitionAsync(deployment.Id, new Transition(DeploymentState.Failed, DeploymentState.Failed, Actors.Onward, applied)
            {
                RestoreState = RestoreState.Verifying,
            }, time.GetUtcNow(), cancellationToken);
            context = context with { Deployment = context.Deployment with { UpdatedAt = time.GetUtcNow(), RestoreState = RestoreState.Verifying } };
        }
        var verified = await target.VerifyRestoreAsync(context, cancellationToken);
        switch (verified)
        {
            case StepResult.Succeeded done:
                await deployments.TransitionAsync(deployment.Id, new Transition(DeploymentState.Failed, DeploymentState.Failed, Actors.Onward,
                    $"restored {previous.Release.Version}: {done.Output ?? "verified"}")
                { RestoreState = RestoreState.Done }, time.GetUtcNow(), cancellationToken);
                return StepResult.Done();
            case StepResult.Failed failed:
                await deployments.TransitionAsync(deployment.Id, new Transition(DeploymentState.Failed, DeploymentState.Failed, Actors.Onward,
                    $"restoring {previous.Release.Version} failed: {failed.Reason}")
                { RestoreState = RestoreState.Failed }, time.GetUtcNow(), cancellationToken);
                logger.LogError("Deployment {Id}: restoring {Version} in {Environment} failed: {Reason}", deployment.Id, previous.Release.Version, deployment.Environment, failed.Reason);
                return StepResult.Done();
            default:
                return verified;
        }
    }

    /// <summary>
    /// How long the deployment took (a metric, and a span in its release's trace), and for a verified one how long since
    /// its commit; never a reason to fail it.
    /// </summary>
    private async Task MeasureAsync(Deployment deployment, Release? release, string outcome, string? reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        metrics.DeploymentEnded(deployment.Service, deployment.Environment, outcome, now - (deployment.StartedAt ?? deployment.CreatedAt));
        if (release is not null)
        {
            ReleaseTraces.Deployment(release, deployment, now, outcome, reason);
        }
        if (outcome != "succeeded" || source is null)
        {
            return;
        }
        try
        {
            if ((await source.CommitsAsync(deployment.Service, null, deployment.Commit, 1, cancellationToken)).FirstOrDefault() is { } commit)
            {
                metrics.CommitVerified(deployment.Service, deployment.Environment, now - commit.CommittedAt);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogDebug("The commit time of {Service} {Commit} is unknown: {Error}", deployment.Service, deployment.Commit, e.Message);
        }
    }

    public JobKind Kind => JobKind.Deploy;

    Task<StepResult> IJobHandler.StepAsync(long subject, CancellationToken cancellationToken) => StepAsync(subject, cancellationToken);

    Task IJobHandler.AbandonAsync(long subject, string reason, CancellationToken cancellationToken) => AbandonAsync(subject, reason, cancellationToken);

    Task IJobHandler.NoteAttemptAsync(long subject, string note, CancellationToken cancellationToken) => NoteAttemptAsync(subject, note, cancellationToken);
}
