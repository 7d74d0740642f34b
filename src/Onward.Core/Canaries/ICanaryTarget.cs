using Onward.Core.Targets;

namespace Onward.Core.Canaries;

/// <summary>A target that can send a share of the requests to a new release running beside the current one.</summary>
public interface ICanaryTarget
{
    /// <summary>Sends <paramref name="weight"/> percent of the requests to the canary (idempotent); returns what was done, for the timeline.</summary>
    Task<string> SetCanaryWeightAsync(TargetContext context, int weight, CancellationToken cancellationToken);

    /// <summary>All requests back to the running release at once, and the canary removed (idempotent).</summary>
    Task<string> AbortCanaryAsync(TargetContext context, CancellationToken cancellationToken);

    /// <summary>The canary's requests counted by the target itself since it began (the local target's proxy sees them); null where it does not count.</summary>
    long? CanaryRequests(TargetContext context);
}

/// <summary>The answer to one instant query: one value (NaN included), no series (null), or why there is none.</summary>
/// <param name="Error">Prometheus could not be asked or did not answer (not the release's fault).</param>
/// <param name="Refused">Prometheus refused the query itself (bad PromQL, several series): it can never pass.</param>
public sealed record PromAnswer(double? Value, string? Error = null, bool Refused = false);

/// <summary>Asks a Prometheus an instant query. Implemented by Onward.Integrations.</summary>
public interface IPrometheusQueries
{
    Task<PromAnswer> QueryAsync(Configuration.CanaryAnalysisConfig analysis, string query, CancellationToken cancellationToken);
}
