using Onward.Contracts.Releases;
using Onward.Core.Releases;

namespace Onward.Server.Api.Releases;

public static class ReleaseMapping
{
    public static ReleaseResponse ToResponse(this Release release) => new(
        release.Id,
        release.Service,
        release.Version,
        release.Commit,
        release.Ref,
        release.RefKind.ToString().ToLowerInvariant(),
        release.ReleaseCandidate,
        release.Image,
        release.Digest,
        release.Artifact,
        release.State.ToString(),
        release.Failure,
        release.CreatedAt,
        release.BuildStartedAt,
        release.BuildFinishedAt,
        release.Chart?.ToResponse());

    public static ChartResponse ToResponse(this ChartPin chart) => new(chart.Location, chart.Name, chart.Version, chart.Digest);
}
