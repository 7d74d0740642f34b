using Onward.Core.Drift;

namespace Onward.Testing.Fakes;

/// <summary>Drift reports in memory, one per service and environment; null clears it.</summary>
public sealed class FakeDriftStore : IDriftStore
{
    private readonly Dictionary<(string Service, string Environment), DriftReport> _reports = [];

    public Task SetAsync(string service, string environment, DriftReport? report, CancellationToken cancellationToken)
    {
        lock (_reports)
        {
            if (report is null)
            {
                _reports.Remove((service, environment));
            }
            else
            {
                _reports[(service, environment)] = report;
            }
        }
        return Task.CompletedTask;
    }

    public Task<DriftReport?> GetAsync(string service, string environment, CancellationToken cancellationToken)
    {
        lock (_reports)
        {
            return Task.FromResult(_reports.GetValueOrDefault((service, environment)));
        }
    }

    public Task<IReadOnlyDictionary<(string Service, string Environment), DriftReport>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_reports)
        {
            return Task.FromResult<IReadOnlyDictionary<(string Service, string Environment), DriftReport>>(new Dictionary<(string, string), DriftReport>(_reports));
        }
    }
}
