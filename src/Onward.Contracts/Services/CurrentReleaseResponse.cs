namespace Onward.Contracts.Services;

public sealed record CurrentReleaseResponse(string Version, string Commit, long ReleaseId, long DeploymentId, DateTimeOffset DeployedAt);
