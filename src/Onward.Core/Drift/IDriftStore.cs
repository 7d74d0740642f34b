namespace Onward.Core.Drift;

/// <summary>The drift found in each service's environments, kept so that every server answers the same. Implemented by Onward.Storage.</summary>
public interface IDriftStore
{
    /// <summary>Records the drift of an environment; null records that it matches what was applied.</summary>
    Task SetAsync(string service, string environment, DriftReport? report, CancellationToken cancellationToken);

    Task<DriftReport?> GetAsync(string service, string environment, CancellationToken cancellationToken);

    /// <summary>Every environment that drifted, by service and environment.</summary>
    Task<IReadOnlyDictionary<(string Service, string Environment), DriftReport>> ListAsync(CancellationToken cancellationToken);
}
