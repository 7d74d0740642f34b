using Onward.Contracts.Drift;
using Onward.Core.Drift;

namespace Onward.Server.Api.Drift;

public static class DriftMapping
{
    public static DriftResponse ToResponse(this DriftReport report) => new(
        report.DeploymentId,
        report.Since,
        report.CheckedAt,
        report.Count,
        report.Differences.Select(d => new DriftDifferenceResponse(d.Item, d.Field, d.Applied, d.Live, d.Secret)).ToList());
}
