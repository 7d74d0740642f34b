using Onward.Contracts.Deployments;
using Onward.Core.Access;
using Onward.Core.Approvals;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;

namespace Onward.Core.Canaries;

/// <summary>What a refused action on a canary answers: not found, not allowed, or not now.</summary>
public enum CanaryRefusal
{
    None,
    NotFound,
    Forbidden,
    Conflict,
}

/// <summary>
/// What people do to a running canary: <b>Abort</b> (every request back to the running release, the deployment
/// fails) and <b>Promote now</b> (100 % at once), for admins; and the approval a step with <c>approval: true</c> waits
/// for, from the environment's approvers. Each is recorded in the deployment's timeline under the person's name, and
/// wakes the deployment so that it acts at once.
/// </summary>
public sealed class CanaryActions(ConfigSource configuration, IDeploymentStore deployments, ICanaryStore canaries, IJobQueue jobs, TimeProvider time)
{
    public async Task<(CanaryRefusal Refusal, string? Detail)> AskAsync(long id, Identity who, string ask, CancellationToken cancellationToken)
    {
        var (deployment, _, missing) = await RunningAsync(id, cancellationToken);
        if (deployment is null)
        {
            return missing;
        }
        if (!who.MayOn(Permissions.SteerCanaries, deployment.Service, deployment.Environment))
        {
            return (CanaryRefusal.Forbidden, $"{who.Name} has the role {who.Role.ToString().ToLowerInvariant()}; aborting or promoting a canary needs admin");
        }
        var what = ask == CanaryAsk.Abort ? "abort the canary (every request back to the running release)" : "promote the canary now (100 %)";
        return await canaries.AskAsync(id, ask, who.Name, $"canary: {who.Name} asked to {what}", time.GetUtcNow(), cancellationToken)
            ? Woken(id)
            : (CanaryRefusal.Conflict, $"the canary of deployment {id} is ending already (asked before, or at 100 %)");
    }

    public async Task<(CanaryRefusal Refusal, string? Detail)> ApproveStepAsync(long id, Identity who, CancellationToken cancellationToken)
    {
        var (deployment, state, missing) = await RunningAsync(id, cancellationToken);
        if (deployment is null || state is null)
        {
            return missing;
        }
        var environment = configuration.Current.FindEnvironment(deployment.Environment);
        var service = configuration.Current.FindService(deployment.Service);
        var canary = environment is null ? null : service?.CanaryIn(environment);
        if (canary is null || state.Step >= canary.Steps.Count || !canary.Steps[state.Step].Approval || environment!.Policy.Approval is not { } policy)
        {
            return (CanaryRefusal.Conflict, $"step {state.Step + 1} of the canary of deployment {id} does not wait for approval");
        }
        if (ApprovalRules.WhyNot(policy, ApprovalSubject.Of(deployment), who, ApprovalDecision.Approved) is { } whyNot)
        {
            return (CanaryRefusal.Forbidden, whyNot);
        }
        return await canaries.ApproveStepAsync(id, state.Step, who.Name, $"canary: {who.Name} approved step {state.Step + 1} ({state.Weight}%)", time.GetUtcNow(), cancellationToken)
            ? Woken(id)
            : (CanaryRefusal.Conflict, $"{who.Name} approved step {state.Step + 1} already, or the canary moved on");
    }

    private (CanaryRefusal, string?) Woken(long id)
    {
        jobs.Wake(JobKind.Deploy, id);
        return (CanaryRefusal.None, null);
    }

    private async Task<(Deployment? Deployment, CanaryState? State, (CanaryRefusal, string?) Missing)> RunningAsync(long id, CancellationToken cancellationToken)
    {
        if (await deployments.GetAsync(id, cancellationToken) is not { } deployment)
        {
            return (null, null, (CanaryRefusal.NotFound, $"there is no deployment {id}; `onward deployments list` shows the existing ones"));
        }
        if (deployment.State != DeploymentState.Verifying || await canaries.GetAsync(id, cancellationToken) is not { Weight: > 0 and < 100 } state)
        {
            return (null, null, (CanaryRefusal.Conflict, $"deployment {id} has no canary running ({deployment.State})"));
        }
        return (deployment, state, default);
    }
}
