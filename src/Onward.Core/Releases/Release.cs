using Onward.Core.Images;

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
    /// <summary>The image repository (<c>registry/name</c>) of a container release; null for a plain artifact.</summary>
    public string? Image { get; init; }

    /// <summary>The pushed manifest's digest (<c>sha256:…</c>): what is deployed, so that a moved tag changes nothing.</summary>
    public string? Digest { get; init; }

    /// <summary>The Helm chart from a registry or repository it renders, once its first deployment fixed it; null otherwise.</summary>
    public ChartPin? Chart { get; init; }

    /// <summary>The W3C trace context of the release's trace; null when traces were not exported when it was recorded.</summary>
    public string? TraceParent { get; init; }

    /// <summary>The pull request whose preview the release was made for (continuous delivery leaves it out); null for a release of the main line or a version.</summary>
    public long? Preview { get; init; }

    /// <summary>The image pinned to its digest (<c>registry/name@sha256:…</c>), what a container runs; null for a plain artifact.</summary>
    public ImageReference? ImageReference =>
        Image is not null && Digest is not null && Images.ImageReference.TryParse(Image, out var image, out _) ? image.PinnedTo(Digest) : null;

    public static string ShortHash(string commit) => commit[..Math.Min(7, commit.Length)];
}
