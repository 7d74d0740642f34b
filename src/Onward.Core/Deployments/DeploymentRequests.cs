using Onward.Core.Access;
using Onward.Contracts.Deployments;
using Onward.Core.Approvals;
using Onward.Core.Configuration;
using Onward.Core.Freezes;
using Onward.Core.Releases;
using Onward.Core.Sources;

namespace Onward.Core.Deployments;

/// <summary>
/// Turns a request into a queued deployment, one awaiting approval, or a blocked one when a policy says no
/// (prerequisites, forward-only, a freeze for manual requests). Used by the API, the CLI, continuous delivery and
/// promotion alike.
/// </summary>
public sealed class DeploymentRequests(
    ConfigSource configuration,
    IReleaseStore releases,
    IDeploymentStore deployments,
    ISourceRepository source,
    EnvironmentFreezes freezes,
    TimeProvider time)
{
    private OnwardConfig config => configuration.Current;

    /// <summary>
    /// A person's request (from the API, the UI or the CLI): as <see cref="RequestAsync"/>, but only an admin may
    /// override the policies, and only with a written reason.
    /// </summary>
    public Task<RequestOutcome> RequestAsync(DeploymentRequest request, Identity who, CancellationToken cancellationToken)
    {
        if (who.WhyNotOn(Permissions.RequestDeployment, request.Service, request.Environment) is { } notHere)
        {
            return Task.FromResult(RequestOutcome.Fail(RequestError.Forbidden, notHere));
        }
        if (request.Override is not null)
        {
            if (!who.May(Permissions.OverridePolicies))
            {
                return Task.FromResult(RequestOutcome.Fail(RequestError.Forbidden, "only an admin may override policies"));
            }
            if (string.IsNullOrWhiteSpace(request.Override))
            {
                return Task.FromResult(RequestOutcome.Fail(RequestError.Malformed, "an override needs a written reason, e.g. \"override\": \"hotfix for incident 4711\""));
            }
        }
        return RequestAsync(request with { Override = request.Override?.Trim(), Actor = who.Name, Trigger = DeploymentTrigger.Manual }, cancellationToken);
    }

    public async Task<RequestOutcome> RequestAsync(DeploymentRequest request, CancellationToken cancellationToken)
    {
        var service = config.FindService(request.Service);
        if (service is null)
        {
            return RequestOutcome.Fail(RequestError.NotFound,
                $"unknown service '{request.Service}'; known services: {string.Join(", ", config.Services.Select(s => s.Name))}");
        }
        var environment = config.FindEnvironment(request.Environment);
        if (environment is null)
        {
            return RequestOutcome.Fail(RequestError.NotFound,
                $"unknown environment '{request.Environment}'; known environments: {string.Join(", ", config.Environments.Select(e => e.Name))}");
        }
        if (environment.Preview is { } preview && preview.Service != service.Name)
        {
            return RequestOutcome.Fail(RequestError.Invalid,
                $"{environment.Name} is the preview of {preview.Service}'s pull request #{preview.Number}; only {preview.Service} runs there");
        }
        var (release, problem) = await FindReleaseAsync(request, cancellationToken);
        if (release is null)
        {
            return problem!;
        }

        var verdict = request.Override is null ? await CheckPoliciesAsync(service, environment, release, cancellationToken) : PolicyVerdict.Allowed;
        var blocked = verdict.Blocked;
        if (blocked is null && verdict.Freeze is { } freeze && request.Trigger == DeploymentTrigger.Manual)
        {
            // Deployments Onward starts itself wait for the freeze to end; a person asking now is told no at once.
            blocked = $"freeze: {freeze}";
        }
        var now = time.GetUtcNow();
        var approval = environment.Policy.Approval;
        var awaiting = blocked is null && ApprovalRules.Applies(approval, request.Trigger);
        var reason = blocked ?? request.Reason ?? (request.Override is null ? null : $"override: {request.Override}");
        var deployment = await deployments.AddAsync(
            new NewDeployment(
                service.Name,
                environment.Name,
                release.Id,
                blocked is not null ? DeploymentState.Blocked : awaiting ? DeploymentState.AwaitingApproval : DeploymentState.Queued,
                reason,
                request.Actor,
                request.Trigger,
                request.Override)
            {
                Waiting = awaiting ? ApprovalRules.Describe(approval!) : verdict.Freeze?.Why,
                WaitingUntil = awaiting ? now + approval!.Expiry : verdict.Freeze?.Until,
            },
            now,
            cancellationToken);
        return new RequestOutcome(deployment, RequestError.None, blocked);
    }

    /// <summary>
    /// A deployment of <paramref name="release"/>'s service to the environment, waiting, under way or current, whose
    /// release comes after <paramref name="release"/> in git history; null when there is none. Continuous delivery
    /// leaves a build that finished late (a retried or slow one) out rather than let it overtake a newer release.
    /// </summary>
    public async Task<Deployment?> NewerAsync(ServiceConfig service, EnvironmentConfig environment, Release release, CancellationToken cancellationToken)
    {
        var recent = await deployments.ListAsync(new DeploymentQuery(service.Name, environment.Name, null, 20), cancellationToken);
        foreach (var other in recent.Where(d => d.Commit != release.Commit
            && d.State is DeploymentState.Queued or DeploymentState.AwaitingApproval or DeploymentState.Applying or DeploymentState.Verifying or DeploymentState.Succeeded))
        {
            if ((await source.CompareAsync(service.Name, service.Repository, other.Commit, release.Commit, cancellationToken)).Relation == AncestryRelation.Ancestor)
            {
                return other;
            }
        }
        return null;
    }

    /// <summary>The policies that are checked at request time and again at the moment of applying.</summary>
    public async Task<PolicyVerdict> CheckPoliciesAsync(ServiceConfig service, EnvironmentConfig environment, Release release, CancellationToken cancellationToken)
    {
        var blocked = await CheckHistoryAsync(service, environment, release, cancellationToken);
        return new PolicyVerdict(blocked, blocked is null ? await freezes.ActiveAsync(environment, cancellationToken) : null);
    }

    private async Task<string?> CheckHistoryAsync(ServiceConfig service, EnvironmentConfig environment, Release release, CancellationToken cancellationToken)
    {
        if (release.Preview is { } number && environment.Preview is null)
        {
            // Rule 14: a pull request's build is for previews; the main line's release of the merge goes on from there.
            return $"preview build: {release.Version} was built for the preview of pull request #{number} and goes to previews only; merge it, and the main line's release goes on";
        }
        var missing = new List<string>();
        foreach (var required in environment.Policy.Requires)
        {
            if (!await deployments.HasSucceededAsync(release.Id, required, cancellationToken))
            {
                missing.Add(required);
            }
        }
        if (missing.Count > 0)
        {
            return $"prerequisites: {release.Version} has not succeeded in {string.Join(", ", missing)} yet, which {environment.Name} requires first";
        }
        if (!environment.Policy.ForwardOnly)
        {
            return null;
        }
        var current = await deployments.CurrentAsync(service.Name, environment.Name, cancellationToken);
        if (current is null || current.Commit == release.Commit)
        {
            return null;
        }
        var ancestry = await source.CompareAsync(service.Name, service.Repository, current.Commit, release.Commit, cancellationToken);
        return ForwardOnlyPolicy.Check(environment.Name, current.Commit, release.Commit, ancestry);
    }

    /// <summary>Cancels a deployment that has not started applying, if <paramref name="who"/> may.</summary>
    /// <returns>The deployment as it is now (null if there is none), whether this call cancelled it, and why not when <paramref name="who"/> may not.</returns>
    public async Task<(Deployment? Deployment, bool Cancelled, string? Forbidden)> CancelAsync(long id, Identity who, string? comment, CancellationToken cancellationToken)
    {
        if (await deployments.GetAsync(id, cancellationToken) is not { } deployment)
        {
            return (null, false, null);
        }
        if (WhyMayNotCancel(deployment, who) is { } forbidden)
        {
            return (deployment, false, forbidden);
        }
        var message = $"cancelled by {who.Name}" + (string.IsNullOrWhiteSpace(comment) ? "" : $": {comment}");
        foreach (var from in DeploymentStates.Waiting)
        {
            if (await deployments.TransitionAsync(id, new Transition(from, DeploymentState.Cancelled, who.Name, message) { Reason = message }, time.GetUtcNow(), cancellationToken))
            {
                return (await deployments.GetAsync(id, cancellationToken), true, null);
            }
        }
        return (await deployments.GetAsync(id, cancellationToken), false, null);
    }

    /// <summary>A deployer withdraws only their own requests; approvers and admins cancel any.</summary>
    /// <returns>Null when <paramref name="who"/> may cancel <paramref name="deployment"/>, else why not.</returns>
    public static string? WhyMayNotCancel(Deployment deployment, Identity who) =>
        deployment.RequestedBy == who.Name || who.MayOn(Role.Approver, deployment.Service, deployment.Environment)
            ? null
            : $"deployment {deployment.Id} was requested by {deployment.RequestedBy}; a deployer cancels only their own requests, approvers and admins any";

    private async Task<(Release? Release, RequestOutcome? Problem)> FindReleaseAsync(DeploymentRequest request, CancellationToken cancellationToken)
    {
        if ((request.Version is null) == (request.Commit is null))
        {
            return (null, RequestOutcome.Fail(RequestError.Invalid, "give exactly one of `version` and `commit`"));
        }
        Release? release;
        if (request.Version is not null)
        {
            release = await releases.FindAsync(request.Service, request.Version, cancellationToken);
        }
        else if (!CommitId.IsFull(request.Commit))
        {
            return (null, RequestOutcome.Fail(RequestError.Invalid, CommitId.Problem("commit", request.Commit) + "; to name a release by its short hash, give it as `version`"));
        }
        else
        {
            var matches = (await releases.ListAsync(request.Service, int.MaxValue, cancellationToken))
                .Where(r => string.Equals(r.Commit, request.Commit, StringComparison.OrdinalIgnoreCase))
                .ToList();
            release = matches.FirstOrDefault(r => r.RefKind == RefKind.Branch) ?? matches.FirstOrDefault();
        }
        if (release is null)
        {
            var recent = await releases.ListAsync(request.Service, 5, cancellationToken);
            var what = request.Version is not null ? $"version '{request.Version}'" : $"commit '{request.Commit}'";
            var hint = recent.Count == 0 ? "it has no releases yet" : "recent versions: " + string.Join(", ", recent.Select(r => r.Version));
            return (null, RequestOutcome.Fail(RequestError.NotFound, $"service '{request.Service}' has no release with {what}; {hint}"));
        }
        return release.State switch
        {
            ReleaseState.Building => (null, RequestOutcome.Fail(RequestError.Invalid, $"{release.Service} {release.Version} is still building; request it again once `onward releases list` shows it Built")),
            ReleaseState.BuildFailed => (null, RequestOutcome.Fail(RequestError.Invalid, $"{release.Service} {release.Version} failed to build and cannot be deployed; see `GET /api/v1/releases/{release.Id}/log`")),
            _ => (release, null),
        };
    }
}
