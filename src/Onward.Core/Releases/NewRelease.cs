namespace Onward.Core.Releases;

/// <summary>A ref head seen in a service's repository that should become a release.</summary>
public sealed record NewRelease(string Service, string Version, string Commit, string Ref, RefKind RefKind, bool ReleaseCandidate);
