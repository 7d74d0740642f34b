namespace Onward.Core.Canaries;

/// <summary>
/// Where a running canary stands, kept in the database so that a server killed mid-canary resumes at the same step
/// and weight. <see cref="Step"/> indexes the configured steps; the step count itself means 100 % (promoting).
/// </summary>
/// <param name="PassedInStep">An interval passed during the step, with no failed one since.</param>
/// <param name="Failures">Failed intervals since the canary began.</param>
/// <param name="RequestsMark">On the local target: the canary's request count at the start of the interval being measured.</param>
/// <param name="Asked">A person's request not yet carried out: <see cref="CanaryAsk.Abort"/> or <see cref="CanaryAsk.Promote"/>.</param>
/// <param name="AskedBy">Who asked.</param>
/// <param name="Approvals">Who approved the current step (a step with <c>approval: true</c>).</param>
public sealed record CanaryState(
    long DeploymentId,
    int Step,
    int Weight,
    DateTimeOffset StepStartedAt,
    bool PassedInStep,
    int Failures,
    DateTimeOffset NextAnalysisAt,
    long RequestsMark,
    string? Asked,
    string? AskedBy,
    IReadOnlyList<string> Approvals);

/// <summary>What a person may ask of a running canary.</summary>
public static class CanaryAsk
{
    public const string Abort = "abort";
    public const string Promote = "promote";
}

/// <summary>
/// One judgement in an interval: a metric's value for the canary and, when compared, for the baseline; or the requests
/// counted (<see cref="RequestsMetric"/>).
/// </summary>
/// <param name="Verdict"><c>pass</c>, <c>fail</c>, <c>inconclusive</c> or <c>error</c> (Prometheus could not be asked).</param>
/// <param name="Detail">The query as sent, or why it failed.</param>
public sealed record CanaryAnalysis(DateTimeOffset At, int Step, string Metric, double? Value, double? Baseline, string Verdict, string? Detail)
{
    public const string RequestsMetric = "requests";
}

/// <summary>The flags a running canary's release ships: its service's set, for requests that say they come from <see cref="Version"/>.</summary>
public sealed record CanaryFlagSet(long DeploymentId, string Service, string Version, string Document);

/// <summary>Canaries' state and judgements, durably. Implemented by Onward.Storage.</summary>
public interface ICanaryStore
{
    Task<CanaryState?> GetAsync(long deploymentId, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the state, keeping a person's request and approvals that came in meanwhile unless <paramref name="clearAsked"/>
    /// (or the step changed), with <paramref name="note"/> in the deployment's timeline and outbox in the same transaction.
    /// </summary>
    Task SaveAsync(CanaryState state, bool clearAsked, CanaryNote? note, CancellationToken cancellationToken);

    Task AddAnalysesAsync(long deploymentId, IReadOnlyList<CanaryAnalysis> analyses, CancellationToken cancellationToken);

    /// <summary>The newest judgements, oldest first.</summary>
    Task<IReadOnlyList<CanaryAnalysis>> AnalysesAsync(long deploymentId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Records a person's abort or promote for a canary that runs, with <paramref name="message"/> in the deployment's
    /// timeline (the audit trail) as theirs; false when no canary runs or something was asked already.
    /// </summary>
    Task<bool> AskAsync(long deploymentId, string ask, string by, string message, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Keeps the flag document the canary's release ships, served to the canary's requests until 100 %.</summary>
    Task SetFlagsAsync(long deploymentId, string document, CancellationToken cancellationToken);

    /// <summary>The flag documents of the canaries running in <paramref name="environment"/> (between 1 and 99 %).</summary>
    Task<IReadOnlyList<CanaryFlagSet>> RunningFlagsAsync(string environment, CancellationToken cancellationToken);

    /// <summary>Adds an approval of <paramref name="step"/>, recorded like <see cref="AskAsync"/>; false when the canary is not at that step or the person approved already.</summary>
    Task<bool> ApproveStepAsync(long deploymentId, int step, string by, string message, DateTimeOffset now, CancellationToken cancellationToken);
}
