using Microsoft.Extensions.Logging;
using Onward.Contracts.Deployments;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;
using Onward.Core.Releases;
using Onward.Core.Targets;

namespace Onward.Core.Drift;

/// <summary>
/// Compares what runs in an environment with what its current deployment applied, through the target, and keeps the
/// answer: drift found (or changed) is an event in the current deployment's timeline, and with
/// <c>deploy.selfHeal</c> the current release is applied again, as an event too. Environments with a deployment
/// under way are left alone: their objects are meant to change.
/// </summary>
public sealed class DriftChecks(
    ConfigSource configuration,
    IDeploymentStore deployments,
    IReleaseStore releases,
    IDriftStore drift,
    IEnumerable<IDeploymentTarget> targets,
    TimeProvider time,
    ILogger<DriftChecks> logger)
{
    private OnwardConfig config => configuration.Current;

    private const int DifferencesInEvent = 3;
    private readonly Dictionary<TargetKind, IDeploymentTarget> _targets = targets.ToDictionary(t => t.Kind);

    /// <summary>Checks every environment that has a current deployment, but <paramref name="skipEnvironments"/> (another replica's).</summary>
    public async Task CheckAllAsync(IReadOnlyCollection<string> skipEnvironments, CancellationToken cancellationToken)
    {
        foreach (var current in (await deployments.CurrentAllAsync(cancellationToken)).Where(c => !skipEnvironments.Contains(c.Environment)))
        {
            await CheckAsync(current.Service, current.Environment, cancellationToken);
        }
    }

    /// <returns>The drift now recorded for the environment, or null when there is none or it cannot be told now.</returns>
    public async Task<DriftReport?> CheckAsync(string serviceName, string environmentName, CancellationToken cancellationToken)
    {
        var service = config.FindService(serviceName);
        var environment = config.FindEnvironment(environmentName);
        if (service is null || environment is null || !_targets.TryGetValue(environment.Target.Kind, out var target))
        {
            return null;
        }
        var latest = (await deployments.ListAsync(new DeploymentQuery(serviceName, environmentName, null, 1), cancellationToken)).FirstOrDefault();
        if (latest is null || latest.State is DeploymentState.Applying or DeploymentState.Verifying || latest.RestoreState.InProgress())
        {
            return null;
        }
        var current = await deployments.CurrentAsync(serviceName, environmentName, cancellationToken);
        var release = current is null ? null : await releases.GetAsync(current.ReleaseId, cancellationToken);
        if (current is null || release is null)
        {
            await drift.SetAsync(serviceName, environmentName, null, cancellationToken);
            return null;
        }
        var context = new TargetContext(service, environment, current, release, null);
        var differences = await target.DriftAsync(context, cancellationToken);
        if (differences is null)
        {
            return null;
        }
        var before = await drift.GetAsync(serviceName, environmentName, cancellationToken);
        var now = time.GetUtcNow();
        if (differences.Count == 0)
        {
            if (before is not null)
            {
                await drift.SetAsync(serviceName, environmentName, null, cancellationToken);
                if (before.DeploymentId == current.Id)
                {
                    await deployments.AppendEventAsync(current.Id, Actors.Onward, "no drift any more: the environment matches what was applied", now, cancellationToken);
                }
            }
            return null;
        }
        var same = before is not null && before.DeploymentId == current.Id;
        var report = new DriftReport(current.Id, same ? before!.Since : now, now, differences.Take(DriftReport.MostKept).ToList()) { Count = differences.Count };
        await drift.SetAsync(serviceName, environmentName, report, cancellationToken);
        var changed = !same || !before!.Differences.SequenceEqual(report.Differences);
        if (!changed)
        {
            return report;
        }
        var shown = string.Join("; ", differences.Take(DifferencesInEvent)) + (differences.Count > DifferencesInEvent ? $"; and {differences.Count - DifferencesInEvent} more" : "");
        logger.LogWarning("{Service} in {Environment} drifted from deployment {Id}: {Differences}", serviceName, environmentName, current.Id, shown);
        await deployments.AppendEventAsync(current.Id, Actors.Onward, $"drift: {differences.Count} difference{(differences.Count == 1 ? "" : "s")} from what was applied: {shown}", now, cancellationToken);
        if (service.Deploy.SelfHeal)
        {
            var healed = await target.HealAsync(context, cancellationToken);
            logger.LogInformation("{Service} in {Environment}: self-heal: {Note}", serviceName, environmentName, healed);
            await deployments.AppendEventAsync(current.Id, Actors.Onward, "self-heal: " + healed, time.GetUtcNow(), cancellationToken);
        }
        return report;
    }
}
