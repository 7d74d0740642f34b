namespace Onward.Contracts.Services;

public sealed record LastDeploymentResponse(long Id, string State, string Version);
