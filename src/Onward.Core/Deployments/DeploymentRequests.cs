using Onward.Core.Configuration;
using Onward.Core.Releases;
using Onward.Core.Sources;

namespace Onward.Core.Deployments;

/// <summary>
/// Turns a request into a queued deployment, or a blocked one when a policy says no (prerequisites, forward-only).
/// Used by the API, the CLI and continuous delivery alike.
/// </summary>
public sealed class DeploymentRequests(
    OnwardConfig config,
    IReleaseStore releases,
    IDeploymentStore deployments,
    ISourceRepository source,
    TimeProvider time)
{
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
        var (release, problem) = await FindReleaseAsync(request, cancellationToken);
        if (release is null)
        {
            return problem!;
        }

        var blocked = request.Override is null ? await CheckPoliciesAsync(service, environment, release, cancellationToken) : null;
        var reason = blocked ?? request.Reason ?? (request.Override is null ? null : $"override: {request.Override}");
        var deployment = await deployments.AddAsync(
            new NewDeployment(
                service.Name,
                environment.Name,
                release.Id,
                blocked is null ? DeploymentState.Queued : DeploymentState.Blocked,
                reason,
                request.Actor,
                request.Trigger,
                request.Override),
            time.GetUtcNow(),
            cancellationToken);
        return new RequestOutcome(deployment, RequestError.None, blocked);
    }

    /// <summary>The policies that are checked at request time and again at the moment of applying.</summary>
    public async Task<string?> CheckPoliciesAsync(ServiceConfig service, EnvironmentConfig environment, Release release, CancellationToken cancellationToken)
    {
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
        else if (request.Commit!.Length < 7)
        {
            return (null, RequestOutcome.Fail(RequestError.Invalid, $"commit '{request.Commit}' is too short; give at least 7 characters of the SHA"));
        }
        else
        {
            var matches = (await releases.ListAsync(request.Service, int.MaxValue, cancellationToken))
                .Where(r => r.Commit.StartsWith(request.Commit, StringComparison.OrdinalIgnoreCase))
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
