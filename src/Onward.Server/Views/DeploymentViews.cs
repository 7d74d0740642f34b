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
public sealed class DeploymentViews(IDeploymentStore store, DeploymentApprovals approvals, IDriftStore drift, IReleaseStore releases)
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
        var drifted = await drift.GetAsync(deployment.Service, deployment.Environment, cancellationToken);
        return drifted?.DeploymentId == deployment.Id ? full with { Drift = drifted.ToResponse() } : full;
    }
}
