namespace Onward.Core.Releases;

/// <summary>A ref head seen in a service's repository that should become a release.</summary>
public sealed record NewRelease(string Service, string Version, string Commit, string Ref, RefKind RefKind, bool ReleaseCandidate)
{
    /// <summary>The W3C trace context of the release's trace, when traces are exported (<see cref="Insight.ReleaseTraces"/>).</summary>
    public string? TraceParent { get; init; }

    /// <summary>The pull request whose preview the release is made for: it goes to no environment but the preview's.</summary>
    public long? Preview { get; init; }
}
