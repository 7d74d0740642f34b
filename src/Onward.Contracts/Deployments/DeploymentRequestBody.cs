namespace Onward.Contracts.Deployments;

/// <summary>The body of <c>POST /api/v1/deployments</c>: exactly one of <see cref="Version"/> and <see cref="Commit"/>.</summary>
public sealed record DeploymentRequestBody(
    string? Service,
    string? Environment,
    string? Version,
    string? Commit,
    string? Reason,
    string? Override);
