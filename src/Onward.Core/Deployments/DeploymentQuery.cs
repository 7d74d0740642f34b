namespace Onward.Core.Deployments;

public sealed record DeploymentQuery(string? Service, string? Environment, DeploymentState? State, int Limit)
{
    public long? ReleaseId { get; init; }
}
