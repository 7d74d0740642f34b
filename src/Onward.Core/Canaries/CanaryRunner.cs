using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Onward.Contracts.Deployments;
using Onward.Contracts.Notifications;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;
using Onward.Core.Targets;

namespace Onward.Core.Canaries;

/// <summary>
/// Runs a canary once its release is verified: each step sets the traffic weight, every interval the metrics are
/// judged (the rules are README's "Canary releases"), and a step advances when its pause has passed, an interval
/// passed with no failure since, and, where it says so, the environment's approvers agreed. Each call does what is due
/// now and returns: <c>Succeeded</c> once the canary reached 100 % (the caller retires the old release), <c>Failed</c>
/// once the traffic went back to the running release, <c>Pending</c> until the next look.
/// </summary>
public sealed class CanaryRunner(ICanaryStore store, IPrometheusQueries prometheus, TimeProvider time, ILogger<CanaryRunner> logger, Flags.ReleaseFlags? flags = null)
{
    /// <summary>The judgements kept for the API and the page of a deployment (the newest).</summary>
    public const int MostShown = 500;

    /// <summary>Deployments whose weight this process has set since it started: a resumed canary sets its weight again once.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, int> _weightSet = new();

    /// <summary>Whether the deployment's canary has begun (its verification is behind it).</summary>
    public async Task<bool> StartedAsync(long deploymentId, CancellationToken cancellationToken) =>
        await store.GetAsync(deploymentId, cancellationToken) is not null;

    public async Task<StepResult> StepAsync(TargetContext context, CanaryConfig canary, ICanaryTarget target, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var id = context.Deployment.Id;
        var state = await store.GetAsync(id, cancellationToken);
        var analysis = canary.Analysis;
        if (state is null)
        {
            var first = canary.Steps[0];
            state = new CanaryState(id, 0, first.Weight, now, false, 0, now + analysis.Interval, target.CanaryRequests(context) ?? 0, null, null, []);
            // Kept before the first request reaches the canary, with its flags: those reach the canary's requests
            // (the ones naming its version) from its first request on, everyone's at 100 %.
            await store.SaveAsync(state, false, null, cancellationToken);
            if (flags is not null && context.Service.Flags is { } path && (await flags.ReadAsync(context.Service, context.Release, path, cancellationToken)).Document is { } document)
            {
                await store.SetFlagsAsync(id, document, cancellationToken);
            }
            var done = await WeighAsync(context, target, first.Weight, cancellationToken);
            await SaveAsync(state, false, StepLine(canary, 0, done), NotificationKind.CanaryStep, cancellationToken);
            return Next(state, canary, now);
        }
        if (state.Weight == 0)
        {
            // It failed, and its traffic went back, before the deployment was recorded as failed (a crash in between).
            await target.AbortCanaryAsync(context, cancellationToken);
            return StepResult.Fail("canary failed; every request went back to the running release before the server stopped", "see the canary's analyses and the events before this one");
        }
        if (_weightSet.TryGetValue(id, out var set) ? set != state.Weight : state.Weight < 100)
        {
            // Resumed by a server started after the canary began (or one that lost the change): the weight is put back where it stood,
            // and a fresh interval begins, since the metrics of the time the server was away may have gaps (on the local target
            // Prometheus scrapes them from Onward).
            await WeighAsync(context, target, state.Weight, cancellationToken);
            state = state with { NextAnalysisAt = now + analysis.Interval, RequestsMark = target.CanaryRequests(context) ?? 0 };
            await store.SaveAsync(state, false, null, cancellationToken);
            logger.LogInformation("Deployment {Id}: canary resumed at step {Step}, weight {Weight}%", id, state.Step + 1, state.Weight);
        }
        if (state.Weight == 100)
        {
            return StepResult.Done("canary: weight 100%");
        }
        if (state.Step >= canary.Steps.Count)
        {
            // onward.yaml lost steps while the server was away: the canary passed those it has.
            return await FullAsync(context, target, state, "the canary's steps changed in onward.yaml", cancellationToken);
        }
        if (state.Asked == CanaryAsk.Abort)
        {
            return await FailAsync(context, target, state, $"canary aborted by {state.AskedBy}", $"{state.AskedBy} aborted the canary at {state.Weight}% (step {state.Step + 1} of {canary.Steps.Count})", cancellationToken);
        }
        if (state.Asked == CanaryAsk.Promote)
        {
            return await FullAsync(context, target, state, $"promoted by {state.AskedBy}", cancellationToken);
        }
        if (now >= state.NextAnalysisAt)
        {
            var (judged, verdict) = await AnalyseAsync(context, target, canary, state, now, cancellationToken);
            state = judged;
            if (verdict is { } failure)
            {
                return await FailAsync(context, target, state, failure.Reason, failure.Diagnosis, cancellationToken);
            }
        }
        var step = canary.Steps[state.Step];
        var pauseEnd = state.StepStartedAt + step.Pause;
        if (now >= pauseEnd && state.PassedInStep && Approved(context, step, state))
        {
            if (state.Step + 1 == canary.Steps.Count)
            {
                return await FullAsync(context, target, state, null, cancellationToken);
            }
            var weight = canary.Steps[state.Step + 1].Weight;
            var done = await WeighAsync(context, target, weight, cancellationToken);
            // The new step is judged by intervals at its own weight only.
            state = state with
            {
                Step = state.Step + 1,
                Weight = weight,
                StepStartedAt = now,
                PassedInStep = false,
                Approvals = [],
                NextAnalysisAt = now + analysis.Interval,
                RequestsMark = target.CanaryRequests(context) ?? 0,
            };
            await SaveAsync(state, false, StepLine(canary, state.Step, done), NotificationKind.CanaryStep, cancellationToken);
            return Next(state, canary, now);
        }
        if (now >= pauseEnd + analysis.MaxWait && !state.PassedInStep)
        {
            return await FailAsync(context, target, state,
                $"canary inconclusive: no interval passed within {DurationText.Format(analysis.MaxWait)} after the pause of step {state.Step + 1}",
                $"no interval of step {state.Step + 1} ({state.Weight}%) passed within analysis.maxWait ({DurationText.Format(analysis.MaxWait)}) after its pause;\n"
                + $"the canary had too few requests (minRequests {analysis.MinRequests}) or Prometheus could not be asked; see its analyses", cancellationToken);
        }
        if (step.Approval && context.Environment.Policy.Approval is { } approval && now >= pauseEnd + approval.Expiry && !Approved(context, step, state))
        {
            // A step's approval expires like a deployment's request for approval: nobody leaves a canary waiting for ever.
            var expired = $"canary: the approval of step {state.Step + 1} ({state.Weight}%) was not given within {DurationText.Format(approval.Expiry)} after its pause";
            return await FailAsync(context, target, state, expired, $"{expired}; {Approvals.ApprovalRules.Describe(approval)} were needed, {state.Approvals.Count} given", cancellationToken);
        }
        return Next(state, canary, now);
    }

    /// <summary>
    /// For a deployment given up on (its step kept failing): a canary that still has a share of the requests loses it,
    /// so that no traffic stays on a release nobody judges any more.
    /// </summary>
    /// <returns>What was done, for the timeline; null when no canary ran.</returns>
    public async Task<string?> AbandonAsync(TargetContext context, ICanaryTarget target, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(context.Deployment.Id, cancellationToken) is not { Weight: > 0 } state)
        {
            return null;
        }
        await store.SaveAsync(state with { Weight = 0 }, true, null, cancellationToken);
        _weightSet.TryRemove(state.DeploymentId, out _);
        return await target.AbortCanaryAsync(context, cancellationToken);
    }

    /// <summary>Sends <paramref name="weight"/> percent of the requests to the canary, remembered as set by this process.</summary>
    private async Task<string> WeighAsync(TargetContext context, ICanaryTarget target, int weight, CancellationToken cancellationToken)
    {
        var done = await target.SetCanaryWeightAsync(context, weight, cancellationToken);
        _weightSet[context.Deployment.Id] = weight;
        return done;
    }

    /// <summary>Whether the step needs no approval, or has the environment's.</summary>
    private static bool Approved(TargetContext context, CanaryStep step, CanaryState state) =>
        !step.Approval || context.Environment.Policy.Approval is not { } policy || state.Approvals.Count >= policy.Required;

    private static StepResult Next(CanaryState state, CanaryConfig canary, DateTimeOffset now)
    {
        var step = canary.Steps[state.Step];
        var pauseEnd = state.StepStartedAt + step.Pause;
        var wake = state.NextAnalysisAt < pauseEnd || now >= pauseEnd ? state.NextAnalysisAt : pauseEnd;
        var at = $"canary at {state.Weight}% (step {state.Step + 1} of {canary.Steps.Count})";
        string progress;
        if (now < pauseEnd)
        {
            progress = $"{at}: pausing until {pauseEnd.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} UTC";
        }
        else if (!state.PassedInStep)
        {
            progress = $"{at}: waiting for an interval that passes";
        }
        else
        {
            progress = $"{at}: waiting for approval ({state.Approvals.Count} given)";
        }
        var after = wake - now;
        return StepResult.Wait(after < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : after, progress);
    }

    private static string StepLine(CanaryConfig canary, int step, string done) =>
        $"canary: weight {canary.Steps[step].Weight}% (step {step + 1} of {canary.Steps.Count}, for at least {DurationText.Format(canary.Steps[step].Pause)}"
        + (canary.Steps[step].Approval ? ", then approval" : "") + ")" + (done.Length > 0 ? "; " + done : "");

    private async Task<StepResult> FullAsync(TargetContext context, ICanaryTarget target, CanaryState state, string? by, CancellationToken cancellationToken)
    {
        var done = await WeighAsync(context, target, 100, cancellationToken);
        var full = state with { Step = int.MaxValue / 2, Weight = 100 };
        await SaveAsync(full, true, "canary: weight 100%" + (by is null ? "" : $" ({by})") + (done.Length > 0 ? "; " + done : ""), NotificationKind.CanaryStep, cancellationToken);
        return StepResult.Done("canary: weight 100%");
    }

    private async Task<StepResult> FailAsync(TargetContext context, ICanaryTarget target, CanaryState state, string reason, string diagnosis, CancellationToken cancellationToken)
    {
        // Recorded first: a crash between this and the abort finds weight 0 and aborts again, never resumes the canary.
        await store.SaveAsync(state with { Weight = 0 }, true, null, cancellationToken);
        var done = await target.AbortCanaryAsync(context, cancellationToken);
        _weightSet.TryRemove(state.DeploymentId, out _);
        await SaveAsync(state with { Weight = 0 }, true, $"canary: weight 0%: {reason}; {done}", NotificationKind.CanaryFailed, cancellationToken);
        logger.LogWarning("Deployment {Id}: {Reason}", state.DeploymentId, reason);
        return StepResult.Fail(reason, diagnosis);
    }

    private Task SaveAsync(CanaryState state, bool clearAsked, string message, NotificationKind tell, CancellationToken cancellationToken) =>
        store.SaveAsync(state, clearAsked, new CanaryNote(message, tell, time.GetUtcNow()), cancellationToken);

    /// <summary>One interval: the requests, then each metric (and its baseline); the state after it, and the failure that ends the canary if any.</summary>
    private async Task<(CanaryState State, (string Reason, string Diagnosis)? Failure)> AnalyseAsync(
        TargetContext context, ICanaryTarget target, CanaryConfig canary, CanaryState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var analysis = canary.Analysis;
        var values = Values(context);
        var results = new List<CanaryAnalysis>();
        var mark = state.RequestsMark;
        long? requests = null;
        string? requestsError = null;
        if (target.CanaryRequests(context) is { } counted)
        {
            requests = counted >= mark ? counted - mark : counted;
            mark = counted;
        }
        else if (analysis.Requests is { } requestsQuery)
        {
            var query = PromQuery.Fill(requestsQuery, values, analysis.Interval);
            var answer = await prometheus.QueryAsync(analysis, query, cancellationToken);
            if (answer.Error is { } unanswered)
            {
                requestsError = unanswered;
            }
            else
            {
                requests = answer.Value is { } v && double.IsFinite(v) ? (long)Math.Round(v) : 0;
            }
        }
        var next = state with { RequestsMark = mark, NextAnalysisAt = Later(state.NextAnalysisAt, analysis.Interval, now) };
        if (requestsError is not null || (analysis.MinRequests > 0 && (requests ?? 0) < analysis.MinRequests))
        {
            results.Add(new CanaryAnalysis(now, state.Step, CanaryAnalysis.RequestsMetric, requests, null, requestsError is null ? "inconclusive" : "error",
                requestsError ?? $"{requests ?? 0} requests < minRequests {analysis.MinRequests}"));
            await store.AddAnalysesAsync(state.DeploymentId, results, cancellationToken);
            if (analysis.Inconclusive == InconclusiveMode.Fail)
            {
                var why = requestsError is null ? $"{requests ?? 0} requests to the canary in {DurationText.Format(analysis.Interval)}, fewer than minRequests {analysis.MinRequests}" : requestsError;
                return (next, ($"canary inconclusive: {why}", $"inconclusive: fail ends the canary at its first inconclusive interval\n{why}"));
            }
            // Kept, so that the next interval counts its own requests only (never those of several added up).
            await store.SaveAsync(next, false, null, cancellationToken);
            return (next, null);
        }
        if (requests is not null)
        {
            results.Add(new CanaryAnalysis(now, state.Step, CanaryAnalysis.RequestsMetric, requests, null, "pass", null));
        }
        (CanaryMetric Metric, double? Value, double? Baseline, string Query, string Why)? failed = null;
        var error = false;
        foreach (var metric in analysis.Metrics)
        {
            var query = PromQuery.Fill(metric.Query, values, analysis.Interval);
            var answer = await prometheus.QueryAsync(analysis, query, cancellationToken);
            double? baseline = null;
            PromAnswer? baselineAnswer = null;
            if (metric.CompareBaseline && answer.Error is null && !answer.Refused)
            {
                var baselineQuery = PromQuery.Fill(metric.Query, new Dictionary<string, string>(values) { ["version"] = values["baseline"] }, analysis.Interval);
                baselineAnswer = await prometheus.QueryAsync(analysis, baselineQuery, cancellationToken);
                baseline = baselineAnswer.Value;
            }
            if (answer is { Error: not null, Refused: false } || baselineAnswer is { Error: not null, Refused: false })
            {
                error = true;
                results.Add(new CanaryAnalysis(now, state.Step, metric.Name, answer.Value, baseline, "error", answer.Error ?? "baseline: " + baselineAnswer!.Error));
                continue;
            }
            var why = answer.Refused ? $"Prometheus refused the query: {answer.Error}" : CanaryJudge.WhyFails(metric, answer.Value, baseline, baselineAnswer?.Refused == true);
            results.Add(new CanaryAnalysis(now, state.Step, metric.Name, answer.Value, baseline, why is null ? "pass" : "fail", why ?? query));
            if (why is not null && failed is null)
            {
                failed = (metric, answer.Value, baseline, query, why);
            }
        }
        await store.AddAnalysesAsync(state.DeploymentId, results, cancellationToken);
        if (failed is { } f)
        {
            next = next with { Failures = state.Failures + 1, PassedInStep = false };
            if (next.Failures >= analysis.FailureLimit)
            {
                var diagnosis = new StringBuilder()
                    .Append("metric:    ").Append(f.Metric.Name).Append('\n')
                    .Append("canary:    ").Append(CanaryJudge.Show(f.Value)).Append(" (").Append(context.Release.Version).Append(")\n")
                    .Append("baseline:  ").Append(f.Metric.CompareBaseline ? CanaryJudge.Show(f.Baseline) : "not compared").Append(" (").Append(values["baseline"]).Append(")\n")
                    .Append("limits:    ").Append(CanaryJudge.Limits(f.Metric)).Append('\n')
                    .Append("why:       ").Append(f.Why).Append('\n')
                    .Append("failed:    ").Append(next.Failures).Append(" interval(s) of ").Append(DurationText.Format(analysis.Interval)).Append(", failureLimit ").Append(analysis.FailureLimit).Append('\n')
                    .Append("at:        ").Append(state.Weight).Append("% (step ").Append(state.Step + 1).Append(" of ").Append(canary.Steps.Count).Append(")\n")
                    .Append("query:     ").Append(f.Query).Append('\n');
                return (next, ($"canary failed: {f.Metric.Name} {CanaryJudge.Show(f.Value)} (baseline {CanaryJudge.Show(f.Baseline)}): {f.Why}", diagnosis.ToString()));
            }
            await store.SaveAsync(next, false, null, cancellationToken);
            return (next, null);
        }
        if (error)
        {
            // Prometheus could not be asked: not the release's fault, and never a pass.
            if (analysis.Inconclusive == InconclusiveMode.Fail)
            {
                var what = results.First(r => r.Verdict == "error");
                return (next, ($"canary inconclusive: {what.Metric}: {what.Detail}", $"inconclusive: fail ends the canary at its first inconclusive interval\n{what.Metric}: {what.Detail}"));
            }
            await store.SaveAsync(next, false, null, cancellationToken);
            return (next, null);
        }
        next = next with { PassedInStep = true };
        await store.SaveAsync(next, false, null, cancellationToken);
        return (next, null);
    }

    /// <summary>The next interval's time: one interval on, or one interval from now when the server was away longer.</summary>
    private static DateTimeOffset Later(DateTimeOffset due, TimeSpan interval, DateTimeOffset now) =>
        due + interval > now ? due + interval : now + interval;

    private static Dictionary<string, string> Values(TargetContext context) => new(StringComparer.Ordinal)
    {
        ["service"] = context.Service.Name,
        ["environment"] = context.Environment.Name,
        ["namespace"] = context.Environment.Target.Kubernetes?.Namespace ?? "",
        ["version"] = context.Release.Version,
        ["baseline"] = context.Previous?.Release.Version ?? "",
    };
}

/// <summary>An event for the deployment's timeline (and the notification it is) written with a canary's state.</summary>
public sealed record CanaryNote(string Message, NotificationKind Tell, DateTimeOffset At);
