namespace Onward.Core.Releases;

/// <summary>One built (or building) version of a service. Identity is the full commit SHA; <see cref="Version"/> is a label.</summary>
public sealed record Release(
    long Id,
    string Service,
    string Version,
    string Commit,
    string Ref,
    RefKind RefKind,
    bool ReleaseCandidate,
    string? Artifact,
    ReleaseState State,
    string? Failure,
    DateTimeOffset CreatedAt,
    DateTimeOffset? BuildStartedAt,
    DateTimeOffset? BuildFinishedAt)
{
    public static string ShortHash(string commit) => commit[..Math.Min(7, commit.Length)];
}
