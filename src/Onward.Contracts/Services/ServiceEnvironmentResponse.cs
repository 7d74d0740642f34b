namespace Onward.Contracts.Services;

/// <param name="Url">Where the service answers in this environment (the stable port on the <c>local</c> target).</param>
public sealed record ServiceEnvironmentResponse(
    string Name,
    string? Url,
    CurrentReleaseResponse? Current,
    LastDeploymentResponse? Last);
