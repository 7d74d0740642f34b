using Onward.Contracts.Deployments;
using Microsoft.Extensions.Logging;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;
using Onward.Core.Releases;

namespace Onward.Core.Promotions;

/// <summary>
/// Proposal I (rule 6 of docs/ARCHITECTURE.md): a release candidate goes by itself to each environment with
/// <c>autoPromote: releaseCandidates</c> once it has succeeded in every environment that one requires, and never when
/// it failed in any of them.
/// </summary>
public sealed class ReleasePromotions(
    ConfigSource configuration,
    IReleaseStore releases,
    IDeploymentStore deployments,
    DeploymentRequests requests,
    TimeProvider time,
    ILogger<ReleasePromotions> logger)
{
    private OnwardConfig config => configuration.Current;

    /// <summary>Idempotent: an environment that already has a promotion of the release is left alone.</summary>
    public async Task AfterSuccessAsync(Deployment succeeded, CancellationToken cancellationToken)
    {
        var candidates = config.Environments
            .Where(e => e.Policy.AutoPromoteReleaseCandidates && e.Policy.Requires.Contains(succeeded.Environment))
            .ToList();
        if (candidates.Count == 0
            || await releases.GetAsync(succeeded.ReleaseId, cancellationToken) is not { ReleaseCandidate: true } release)
        {
            return;
        }
        var history = await deployments.ListAsync(
            new DeploymentQuery(release.Service, null, null, int.MaxValue) { ReleaseId = release.Id }, cancellationToken);
        foreach (var environment in candidates)
        {
            if (history.Any(d => d.Environment == environment.Name && d.Trigger == DeploymentTrigger.Promotion))
            {
                continue;
            }
            var failed = environment.Policy.Requires.Where(r => history.Any(d => d.Environment == r && d.State == DeploymentState.Failed)).ToList();
            if (failed.Count > 0)
            {
                var why = $"not promoted to {environment.Name}: {release.Version} failed in {string.Join(", ", failed)}";
                if (!(await deployments.EventsAsync(succeeded.Id, cancellationToken)).Any(e => e.Message == why))
                {
                    await deployments.AppendEventAsync(succeeded.Id, Actors.Onward, why, time.GetUtcNow(), cancellationToken);
                }
                logger.LogInformation("Not promoting {Service} {Version} to {Environment}: it failed in {Failed}",
                    release.Service, release.Version, environment.Name, string.Join(", ", failed));
                continue;
            }
            if (environment.Policy.Requires.Any(r => !history.Any(d => d.Environment == r && d.State == DeploymentState.Succeeded)))
            {
                continue;
            }
            var outcome = await requests.RequestAsync(new DeploymentRequest(
                release.Service, environment.Name, release.Version, null,
                $"release candidate {release.Version} succeeded in {string.Join(", ", environment.Policy.Requires)}",
                null, Actors.Onward, DeploymentTrigger.Promotion), cancellationToken);
            logger.LogInformation("Promoted {Service} {Version} to {Environment}: deployment {Id} is {State}",
                release.Service, release.Version, environment.Name, outcome.Deployment?.Id, outcome.Deployment?.State);
        }
    }
}
