using Onward.Contracts.Drift;

namespace Onward.Contracts.Services;

/// <param name="Url">Where the service answers in this environment (the stable port on the <c>local</c> target).</param>
/// <param name="Drift">How the live objects differ from what the current deployment applied; null when they match.</param>
public sealed record ServiceEnvironmentResponse(
    string Name,
    string? Url,
    CurrentReleaseResponse? Current,
    LastDeploymentResponse? Last,
    DriftResponse? Drift = null);
