namespace Onward.Contracts.Releases;

/// <param name="RefKind"><c>branch</c> or <c>tag</c>.</param>
/// <param name="State"><c>Building</c>, <c>Built</c> or <c>BuildFailed</c>.</param>
/// <param name="Artifact">Where the <c>command</c> builder put the build's output.</param>
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
    DateTimeOffset? BuildFinishedAt);
