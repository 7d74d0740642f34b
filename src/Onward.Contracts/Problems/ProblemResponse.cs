namespace Onward.Contracts.Problems;

/// <summary>An RFC 9457 problem as Onward sends it; <see cref="DeploymentId"/> is set on a 409 for a blocked request.</summary>
public sealed record ProblemResponse(string? Type, string? Title, int? Status, string? Detail, long? DeploymentId);
