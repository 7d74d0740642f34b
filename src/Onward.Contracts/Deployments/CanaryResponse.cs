namespace Onward.Contracts.Deployments;

/// <summary>A deployment's canary: where it stands, its steps, and every judgement of its analysis.</summary>
/// <param name="Step">The step it is at, from 1; <c>Steps.Count + 1</c> once at 100 %.</param>
/// <param name="Weight">The share of requests the canary gets now, in percent (0 once it failed).</param>
/// <param name="State"><c>running</c>, <c>promoted</c> (100 %) or <c>failed</c> (aborted or judged so).</param>
/// <param name="Approvals">Who approved the current step (a step with <c>approval: true</c>).</param>
/// <param name="Asked">A person's <c>abort</c> or <c>promote</c> not carried out yet, with <see cref="AskedBy"/>.</param>
public sealed record CanaryResponse(
    int Step,
    int Weight,
    string State,
    IReadOnlyList<CanaryStepResponse> Steps,
    IReadOnlyList<string> Approvals,
    string? Asked,
    string? AskedBy,
    DateTimeOffset StepStartedAt,
    int Failures,
    IReadOnlyList<CanaryAnalysisResponse> Analyses);

/// <param name="Pause">As written in onward.yaml (<c>5m</c>).</param>
public sealed record CanaryStepResponse(int Weight, string Pause, bool Approval);

/// <param name="Metric">The metric's name, or <c>requests</c> for the canary's requests in the interval.</param>
/// <param name="Value">The canary's value; null when the query returned no series (or NaN).</param>
/// <param name="Baseline">The running release's value, for a metric compared with it.</param>
/// <param name="Verdict"><c>pass</c>, <c>fail</c>, <c>inconclusive</c> or <c>error</c> (Prometheus could not be asked).</param>
/// <param name="Detail">The query as sent, or why it failed.</param>
public sealed record CanaryAnalysisResponse(DateTimeOffset At, int Step, string Metric, double? Value, double? Baseline, string Verdict, string? Detail);
