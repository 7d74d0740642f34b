namespace Onward.Contracts.Services;

/// <summary>A service with, per environment, what runs there now and what happened last.</summary>
public sealed record ServiceResponse(
    string Name,
    string Repository,
    string? MainBranch,
    string? ImageRepository,
    IReadOnlyList<ServiceEnvironmentResponse> Environments);
