namespace Onward.Core.Releases;

/// <summary>
/// The Helm chart a release renders, fixed the first time it is deployed: where it came from, its name and version
/// (a range resolved then), and its digest (the OCI manifest's, or the SHA-256 of a repository's archive). Every
/// deployment of the release renders exactly this chart.
/// </summary>
/// <param name="Location">The registry reference (<c>oci://host/path/name</c>) or the repository's URL.</param>
public sealed record ChartPin(string Location, string Name, string Version, string Digest)
{
    /// <summary>How a person reads it: <c>shop 1.4.2 from oci://…/shop@sha256:…</c>.</summary>
    public override string ToString() =>
        Location.StartsWith("oci://", StringComparison.Ordinal) ? $"{Name} {Version} from {Location}@{Digest}" : $"{Name} {Version} from {Location} ({Digest})";
}
