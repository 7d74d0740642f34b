using Onward.Contracts.Releases;

namespace Onward.Contracts.Deployments;

/// <param name="Chart">For one deployment: the Helm chart its release renders, when pinned (a chart from a registry or repository).</param>
public sealed record DeploymentReleaseResponse(long Id, string Version, string Commit, ChartResponse? Chart = null);
