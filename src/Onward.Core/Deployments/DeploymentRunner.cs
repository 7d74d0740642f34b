using Microsoft.Extensions.Logging;
using Onward.Core.Configuration;
using Onward.Core.Pipeline;
using Onward.Core.Releases;
using Onward.Core.Targets;

namespace Onward.Core.Deployments;

/// <summary>
/// Moves one deployment a step along <c>Queued → Applying → Verifying → Succeeded | Failed</c>. Each call does what
/// can be done now and returns; the worker calls again after a <c>Pending</c>.
/// </summary>
public sealed class DeploymentRunner(
    OnwardConfig config,
    IDeploymentStore deployments,
    IReleaseStore releases,
    DeploymentRequests requests,
    IEnumerable<IDeploymentTarget> targets,
    TimeProvider time,
    ILogger<DeploymentRunner> logger)
{
    private static readonly TimeSpan WaitForEnvironment = TimeSpan.FromMilliseconds(200);
    private readonly Dictionary<string, IDeploymentTarget> _targets = targets.ToDictionary(t => t.Kind);

    public async Task<StepResult> StepAsync(long deploymentId, CancellationToken cancellationToken)
    {
        var deployment = await deployments.GetAsync(deploymentId, cancellationToken);
        if (deployment is null || deployment.State.IsTerminal())
        {
            return StepResult.Done();
        }
        var service = config.FindService(deployment.Service);
        var environment = config.FindEnvironment(deployment.Environment);
        var release = await releases.GetAsync(deployment.ReleaseId, cancellationToken);
        if (service is null || environment is null || release is null)
        {
            await deployments.TransitionAsync(deployment.Id, new Transition(deployment.State, DeploymentState.Cancelled, Actors.Onward,
                "the service or environment is no longer configured"), time.GetUtcNow(), cancellationToken);
            return StepResult.Done();
        }
        if (!_targets.TryGetValue(environment.Target.Kind, out var target))
        {
            return await FailAsync(deployment, null, StepResult.Fail($"no '{environment.Target.Kind}' target is available in this server"), cancellationToken);
        }

        if (deployment.State == DeploymentState.Queued)
        {
            var started = await StartApplyingAsync(deployment, service, environment, release, cancellationToken);
            if (started is not DeploymentState.Applying)
            {
                return started is null ? StepResult.Wait(WaitForEnvironment) : StepResult.Done();
            }
            deployment = (await deployments.GetAsync(deploymentId, cancellationToken))!;
        }

        var context = await ContextAsync(deployment, service, environment, release, cancellationToken);
        if (deployment.State == DeploymentState.Applying)
        {
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

        var verified = await target.VerifyAsync(context, cancellationToken);
        switch (verified)
        {
            case StepResult.Succeeded done:
                await target.PromoteAsync(context, cancellationToken);
                var message = done.Output ?? "verified";
                if (await deployments.TransitionAsync(deployment.Id, new Transition(DeploymentState.Verifying, DeploymentState.Succeeded, Actors.Onward, message),
                        time.GetUtcNow(), cancellationToken))
                {
                    logger.LogInformation("Deployment {Id}: {Service} {Version} succeeded in {Environment}",
                        deployment.Id, deployment.Service, deployment.Version, deployment.Environment);
                }
                return verified;
            case StepResult.Failed:
                return await FailAsync(deployment, context, verified, cancellationToken, target);
            default:
                return verified;
        }
    }

    /// <summary>Ends a deployment whose step keeps throwing, so that it never hangs unseen.</summary>
    public async Task AbandonAsync(long deploymentId, string reason, CancellationToken cancellationToken)
    {
        var deployment = await deployments.GetAsync(deploymentId, cancellationToken);
        if (deployment is null || deployment.State.IsTerminal())
        {
            return;
        }
        await deployments.TransitionAsync(deployment.Id, new Transition(deployment.State, DeploymentState.Failed, Actors.Onward, reason)
        {
            Reason = reason,
        }, time.GetUtcNow(), cancellationToken);
    }

    /// <returns><c>Applying</c> when this deployment now holds the environment, null to wait, any other state when it ended.</returns>
    private async Task<DeploymentState?> StartApplyingAsync(
        Deployment deployment, ServiceConfig service, EnvironmentConfig environment, Release release, CancellationToken cancellationToken)
    {
        // The policies are checked again at the moment of applying (DESIGN rule 8): the environment may have moved
        // on since the request.
        var blocked = deployment.Override is null
            ? await requests.CheckPoliciesAsync(service, environment, release, cancellationToken)
            : null;
        var now = time.GetUtcNow();
        if (blocked is not null)
        {
            await deployments.TransitionAsync(deployment.Id, new Transition(DeploymentState.Queued, DeploymentState.Blocked, Actors.Onward, blocked)
            {
                Reason = blocked,
            }, now, cancellationToken);
            logger.LogWarning("Deployment {Id} blocked: {Reason}", deployment.Id, blocked);
            return DeploymentState.Blocked;
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
            return DeploymentState.Applying;
        }
        var latest = await deployments.GetAsync(deployment.Id, cancellationToken);
        return latest is null || latest.State.IsTerminal() ? latest?.State ?? DeploymentState.Cancelled : null;
    }

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
        return new TargetContext(service, environment, deployment, release, previous);
    }

    private async Task<StepResult> FailAsync(
        Deployment deployment, TargetContext? context, StepResult failure, CancellationToken cancellationToken, IDeploymentTarget? target = null)
    {
        var failed = (StepResult.Failed)failure;
        var restored = "";
        // Restore before recording the failure: if the server dies in between, the retried step fails again and
        // restores again, instead of leaving a failure that never restored.
        if (target is not null && context is not null && context.Environment.Policy.OnFailure == OnFailureMode.Restore)
        {
            restored = "; " + await target.RestoreAsync(context, cancellationToken);
        }
        else if (context?.Environment.Policy.OnFailure == OnFailureMode.Halt)
        {
            restored = "; onFailure is halt, nothing else was done";
        }
        var ok = await deployments.TransitionAsync(deployment.Id, new Transition(deployment.State, DeploymentState.Failed, Actors.Onward, failed.Reason + restored)
        {
            Reason = failed.Reason,
            Diagnosis = failed.Diagnosis,
        }, time.GetUtcNow(), cancellationToken);
        if (ok)
        {
            logger.LogWarning("Deployment {Id}: {Service} {Version} failed in {Environment}: {Reason}",
                deployment.Id, deployment.Service, deployment.Version, deployment.Environment, failed.Reason);
        }
        return failure;
    }
}
