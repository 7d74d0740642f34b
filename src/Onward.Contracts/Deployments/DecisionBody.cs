namespace Onward.Contracts.Deployments;

/// <summary>The body of <c>POST /api/v1/deployments/{id}/approve</c>, <c>/reject</c> and <c>/cancel</c>.</summary>
public sealed record DecisionBody(string? Comment);
