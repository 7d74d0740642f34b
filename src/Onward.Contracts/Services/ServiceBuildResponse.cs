namespace Onward.Contracts.Services;

/// <param name="State"><c>Building</c>, <c>Built</c> or <c>BuildFailed</c>, as a release's state.</param>
/// <param name="Failure">Why the build failed; its log is the release's (<c>GET /api/v1/releases/{id}/log</c>).</param>
/// <param name="At">When the build ended, or when it was asked for while it runs.</param>
public sealed record ServiceBuildResponse(long ReleaseId, string Version, string Commit, string Ref, string State, string? Failure, DateTimeOffset At);
