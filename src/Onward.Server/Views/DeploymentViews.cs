using Onward.Core.Canaries;
using Onward.Core.Configuration;
using Onward.Contracts.Deployments;
using Onward.Core.Approvals;
using Onward.Core.Deployments;
using Onward.Core.Drift;
using Onward.Core.Releases;
using Onward.Server.Api.Deployments;
using Onward.Server.Api.Drift;
using Onward.Server.Api.Releases;

namespace Onward.Server.Views;

/// <summary>A deployment with its events, approvals, drift and the chart its release is pinned to: the answer of <c>GET /api/v1/deployments/{id}</c> and the deployment page.</summary>
public sealed class DeploymentViews(IDeploymentStore store, DeploymentApprovals approvals, IDriftStore drift, IReleaseStore releases, ICanaryStore canaries, ConfigSource configuration)
{
    /// <summary>The deployment, or null when there is none with that id.</summary>
    public async Task<DeploymentResponse?> FindAsync(long id, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } deployment ? await FullAsync(deployment, cancellationToken) : null;

    public async Task<DeploymentResponse> FullAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        var full = deployment.ToResponse(await store.EventsAsync(deployment.Id, cancellationToken), await approvals.ListAsync(deployment.Id, cancellationToken));
        if (await releases.ChartAsync(deployment.ReleaseId, cancellationToken) is { } chart)
        {
            full = full with { Release = full.Release with { Chart = chart.ToResponse() } };
        }
        if (await canaries.GetAsync(deployment.Id, cancellationToken) is { } canary)
        {
            full = full with { Canary = await CanaryAsync(deployment, canary, cancellationToken) };
        }
        var drifted = await drift.GetAsync(deployment.Service, deployment.Environment, cancellationToken);
        return drifted?.DeploymentId == deployment.Id ? full with { Drift = drifted.ToResponse() } : full;
    }

    private async Task<CanaryResponse> CanaryAsync(Deployment deployment, CanaryState canary, CancellationToken cancellationToken)
    {
        var config = configuration.Current;
        var steps = config.FindEnvironment(deployment.Environment) is { } environment && config.FindService(deployment.Service)?.CanaryIn(environment) is { } configured
            ? configured.Steps.Select(s => new CanaryStepResponse(s.Weight, DurationText.Format(s.Pause), s.Approval)).ToList()
            : [];
        var state = canary.Weight >= 100 ? "promoted" : canary.Weight == 0 ? "failed" : "running";
        var analyses = await canaries.AnalysesAsync(deployment.Id, CanaryRunner.MostShown, cancellationToken);
        return new CanaryResponse(Math.Min(canary.Step, steps.Count) + 1, canary.Weight, state, steps, canary.Approvals, canary.Asked, canary.AskedBy,
            canary.StepStartedAt, canary.Failures,
            analyses.Select(a => new CanaryAnalysisResponse(a.At, Math.Min(a.Step, steps.Count) + 1, a.Metric, Finite(a.Value), Finite(a.Baseline), a.Verdict, a.Detail)).ToList());
    }

    /// <summary>JSON has no NaN: a value that is not a number is shown as none (its verdict says why).</summary>
    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}
