namespace Onward.Core.Builds;

/// <summary>What a build produced: a directory of files, or an image pushed to a registry and its digest.</summary>
public sealed record BuildResult(string? Artifact, string? Image, string? Digest);
