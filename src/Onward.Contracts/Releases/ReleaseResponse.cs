namespace Onward.Contracts.Releases;

/// <param name="RefKind"><c>branch</c> or <c>tag</c>.</param>
/// <param name="State"><c>Building</c>, <c>Built</c> or <c>BuildFailed</c>.</param>
/// <param name="Artifact">Where the <c>command</c> builder put the build's output.</param>
/// <param name="Chart">The Helm chart it renders, once its first deployment pinned one (charts from a registry or repository).</param>
public sealed record ReleaseResponse(
    long Id,
    string Service,
    string Version,
    string Commit,
    string Ref,
    string RefKind,
    bool ReleaseCandidate,
    string? Image,
    string? Digest,
    string? Artifact,
    string State,
    string? Failure,
    DateTimeOffset CreatedAt,
    DateTimeOffset? BuildStartedAt,
    DateTimeOffset? BuildFinishedAt,
    ChartResponse? Chart = null);
