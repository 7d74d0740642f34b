namespace Onward.Contracts.Releases;

/// <summary>The Helm chart a release is pinned to (from a registry or repository), fixed by its first deployment.</summary>
/// <param name="Location">The registry reference (<c>oci://host/path/name</c>) or the chart repository's URL.</param>
/// <param name="Digest">The OCI manifest's digest, or the SHA-256 of the repository's archive (<c>sha256:…</c>).</param>
public sealed record ChartResponse(string Location, string Name, string Version, string Digest);
