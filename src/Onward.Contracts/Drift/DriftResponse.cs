namespace Onward.Contracts.Drift;

/// <summary>How an environment's live objects differ from what its current deployment applied.</summary>
/// <param name="DeploymentId">The current deployment the live state was compared with.</param>
/// <param name="Since">When the drift was first seen.</param>
/// <param name="Count">How many differences there are; <paramref name="Differences"/> holds the first ones.</param>
public sealed record DriftResponse(long DeploymentId, DateTimeOffset Since, DateTimeOffset CheckedAt, int Count, IReadOnlyList<DriftDifferenceResponse> Differences);
