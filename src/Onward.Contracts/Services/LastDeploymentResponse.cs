using Onward.Contracts.Deployments;

namespace Onward.Contracts.Services;

public sealed record LastDeploymentResponse(long Id, DeploymentState State, string Version);
