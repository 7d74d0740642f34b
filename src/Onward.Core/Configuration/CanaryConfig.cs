namespace Onward.Core.Configuration;

/// <summary>
/// A canary release (<c>policy.canary</c> of an environment, or a service's own <c>canary</c>): the new version gets a
/// share of the traffic step by step, judged by its metrics at every <see cref="CanaryAnalysisConfig.Interval"/>,
/// then all of it.
/// </summary>
/// <param name="Steps">The weights before 100 %, in order, each rising.</param>
public sealed record CanaryConfig(IReadOnlyList<CanaryStep> Steps, CanaryAnalysisConfig Analysis)
{
    /// <summary>On Kubernetes: the HTTPRoute whose backendRefs carry the weights; null: weights by replica ratio (approximate).</summary>
    public string? Route { get; init; }

    /// <summary>Where it was written in onward.yaml.</summary>
    public ConfigPosition At { get; init; }
}

/// <summary>One step: <see cref="Weight"/> percent of the requests for at least <see cref="Pause"/>, and the environment's approvals where <see cref="Approval"/>.</summary>
public sealed record CanaryStep(int Weight, TimeSpan Pause, bool Approval);

/// <summary>What an interval with fewer requests than <see cref="CanaryAnalysisConfig.MinRequests"/> does.</summary>
public enum InconclusiveMode
{
    /// <summary>The step does not advance; it fails once <see cref="CanaryAnalysisConfig.MaxWait"/> has passed without a passing interval.</summary>
    Wait,

    /// <summary>The canary fails at once.</summary>
    Fail,
}

/// <summary>How a canary is judged: a Prometheus, its queries and their limits.</summary>
/// <param name="Requests">A query for the canary's requests in the interval (Kubernetes); on the local target Onward counts them itself.</param>
public sealed record CanaryAnalysisConfig(
    Uri Prometheus,
    TimeSpan Interval,
    int MinRequests,
    InconclusiveMode Inconclusive,
    int FailureLimit,
    TimeSpan MaxWait,
    string? Requests,
    IReadOnlyList<CanaryMetric> Metrics)
{
    /// <summary>A bearer token sent to Prometheus; never shown.</summary>
    public string? BearerToken { get; init; }

    /// <summary>Basic authentication for Prometheus (user, password); never shown.</summary>
    public (string User, string Password)? Basic { get; init; }

    /// <summary>What a log line or a message shows of it: everything but the credentials' values.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Prometheus = ").Append(Prometheus).Append(", Interval = ").Append(Interval).Append(", MinRequests = ").Append(MinRequests)
            .Append(", Inconclusive = ").Append(Inconclusive).Append(", FailureLimit = ").Append(FailureLimit).Append(", MaxWait = ").Append(MaxWait)
            .Append(", Metrics = ").Append(Metrics.Count)
            .Append(", Credentials = ").Append(BearerToken is not null ? "bearer token" : Basic is not null ? "basic" : "none");
        return true;
    }
}

/// <summary>One metric: a PromQL query with placeholders, its bounds, and whether it is compared with the version it replaces.</summary>
public sealed record CanaryMetric(string Name, string Query, double? Min, double? Max, bool CompareBaseline, double Tolerance);
