namespace Onward.Contracts.Services;

/// <summary>A service with, per environment, what runs there now and what happened last.</summary>
/// <param name="Warnings">What keeps the service from building that nobody would otherwise see: its main branch is not in the repository, or the repository cannot be read.</param>
/// <param name="LatestBuild">The build of the service's newest release: building, built, or failed with why.</param>
public sealed record ServiceResponse(
    string Name,
    string Repository,
    string? MainBranch,
    string? ImageRepository,
    IReadOnlyList<ServiceEnvironmentResponse> Environments,
    IReadOnlyList<string> Warnings,
    ServiceBuildResponse? LatestBuild);
