using Onward.Core.Deployments;
using Onward.Core.Flags;

namespace Onward.Core.Approvals;

/// <summary>What waits for a decision: a deployment or a flag change, in an environment, asked by someone.</summary>
/// <param name="Kind">What is decided on, in words: <c>deployments</c>, <c>flag changes</c>.</param>
/// <param name="Itself">This one, in words: <c>deployment 7</c>, <c>this flag change</c>.</param>
public sealed record ApprovalSubject(string Environment, string RequestedBy, string Kind, string Itself)
{
    /// <summary>The service a deployment is of; null for a flag change (flags are an environment's).</summary>
    public string? Service { get; init; }

    public static ApprovalSubject Of(Deployment deployment) => new(deployment.Environment, deployment.RequestedBy, "deployments", $"deployment {deployment.Id}") { Service = deployment.Service };

    public static ApprovalSubject Of(FlagChangeRequest request) => new(request.Environment, request.RequestedBy, "flag changes", "this flag change");
}
