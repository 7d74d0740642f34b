namespace Onward.Contracts.Deployments;

public sealed record DeploymentReleaseResponse(long Id, string Version, string Commit);
