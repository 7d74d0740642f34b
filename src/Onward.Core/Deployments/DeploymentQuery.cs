using Onward.Contracts.Deployments;

namespace Onward.Core.Deployments;

public sealed record DeploymentQuery(string? Service, string? Environment, DeploymentState? State, int Limit)
{
    public long? ReleaseId { get; init; }

    /// <summary>Only deployments of these releases (a page of releases and where each went).</summary>
    public IReadOnlyCollection<long>? ReleaseIds { get; init; }

    /// <summary>Only deployments with a smaller id: the next page after the last one seen.</summary>
    public long? Before { get; init; }
}
