using Onward.Contracts.Deployments;
using Microsoft.Extensions.Logging;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;
using Onward.Core.Releases;

namespace Onward.Core.Targets;

/// <summary>At start-up, hands every environment's current deployment back to its target to take over again.</summary>
public sealed class TargetAdoption(
    ConfigSource configuration,
    IDeploymentStore deployments,
    IReleaseStore releases,
    IEnumerable<IDeploymentTarget> targets,
    TimeProvider time,
    ILogger<TargetAdoption> logger)
{
    private OnwardConfig config => configuration.Current;

    public async Task AdoptAllAsync(CancellationToken cancellationToken)
    {
        var byKind = targets.ToDictionary(t => t.Kind);
        var currents = await deployments.CurrentAllAsync(cancellationToken);
        foreach (var current in currents)
        {
            var service = config.FindService(current.Service);
            var environment = config.FindEnvironment(current.Environment);
            if (service is null || environment is null || !byKind.TryGetValue(environment.Target.Kind, out var target)
                || await releases.GetAsync(current.ReleaseId, cancellationToken) is not { } release)
            {
                continue;
            }
            try
            {
                var note = await target.AdoptAsync(new TargetContext(service, environment, current, release, null), cancellationToken);
                if (note is not null)
                {
                    logger.LogInformation("{Service} in {Environment}: {Note}", service.Name, environment.Name, note);
                    await deployments.AppendEventAsync(current.Id, Actors.Onward, "server started: " + note, time.GetUtcNow(), cancellationToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Could not take over {Service} {Version} in {Environment}", service.Name, release.Version, environment.Name);
            }
        }
        await StopLeftoversAsync(currents, cancellationToken);
    }

    /// <summary>
    /// Every target stops what it still runs for deployments that are neither current nor being applied or verified,
    /// such as a retired release whose stop a crash interrupted.
    /// </summary>
    private async Task StopLeftoversAsync(IReadOnlyList<Deployment> currents, CancellationToken cancellationToken)
    {
        var keep = currents.Select(d => d.Id).ToHashSet();
        foreach (var state in new[] { DeploymentState.Applying, DeploymentState.Verifying })
        {
            keep.UnionWith((await deployments.ListAsync(new DeploymentQuery(null, null, state, int.MaxValue), cancellationToken)).Select(d => d.Id));
        }
        foreach (var target in targets)
        {
            try
            {
                foreach (var (id, note) in await target.StopLeftoversAsync(keep, cancellationToken))
                {
                    if (await deployments.GetAsync(id, cancellationToken) is not null)
                    {
                        await deployments.AppendEventAsync(id, Actors.Onward, "server started: " + note, time.GetUtcNow(), cancellationToken);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Could not stop the {Kind} target's leftover processes", target.Kind);
            }
        }
    }
}
