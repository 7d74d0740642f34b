using System.Diagnostics;
using Onward.Core.Deployments;
using Onward.Core.Releases;

namespace Onward.Core.Insight;

/// <summary>
/// One trace per release: a span from Onward hearing of the commit (a poll or a webhook) to the release being
/// recorded, whose context is kept with the release, and under it a span for its build and one for each deployment
/// (from starting to apply to verified or failed), whichever replica runs them and however long after. Exported over
/// OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; with no exporter listening, nothing is recorded.
/// </summary>
public static class ReleaseTraces
{
    public const string SourceName = "Onward";
    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts the release's span before it is recorded; the candidate carries its context (unchanged when nothing listens).</summary>
    public static (Activity? Span, NewRelease Candidate) Begin(NewRelease candidate, string heardFrom)
    {
        var span = Source.StartActivity($"release {candidate.Service} {candidate.Version}", ActivityKind.Consumer, default(ActivityContext));
        if (span is null)
        {
            return (null, candidate);
        }
        span.SetTag("onward.service", candidate.Service);
        span.SetTag("onward.version", candidate.Version);
        span.SetTag("vcs.ref.head.name", candidate.Ref);
        span.SetTag("vcs.ref.head.revision", candidate.Commit);
        span.SetTag("onward.heard_from", heardFrom);
        return (span, candidate with { TraceParent = span.Id });
    }

    /// <summary>Ends the release's span: kept when the release was recorded, dropped when it existed already.</summary>
    public static void End(Activity? span, Release? recorded)
    {
        if (span is null)
        {
            return;
        }
        if (recorded is null)
        {
            span.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            span.IsAllDataRequested = false;
        }
        else
        {
            span.SetTag("onward.release_id", recorded.Id);
        }
        span.Stop();
    }

    public static void Build(Release release, DateTimeOffset started, DateTimeOffset ended, string outcome, string? failure) =>
        Emit(release, $"build {release.Service} {release.Version}", started, ended, outcome == "built" ? null : failure, span =>
        {
            span.SetTag("onward.service", release.Service);
            span.SetTag("onward.outcome", outcome);
        });

    public static void Deployment(Release release, Deployment deployment, DateTimeOffset ended, string outcome, string? reason) =>
        Emit(release, $"deploy {deployment.Service} {deployment.Version} to {deployment.Environment}", deployment.StartedAt ?? deployment.CreatedAt, ended,
            outcome == "succeeded" ? null : reason, span =>
            {
                span.SetTag("onward.service", deployment.Service);
                span.SetTag("onward.environment", deployment.Environment);
                span.SetTag("onward.deployment_id", deployment.Id);
                span.SetTag("onward.trigger", deployment.Trigger.ToString().ToLowerInvariant());
                span.SetTag("onward.outcome", outcome);
            });

    private static void Emit(Release release, string name, DateTimeOffset started, DateTimeOffset ended, string? error, Action<Activity> tags)
    {
        if (release.TraceParent is null || !ActivityContext.TryParse(release.TraceParent, null, out var parent))
        {
            return;
        }
        using var span = Source.StartActivity(name, ActivityKind.Internal, parent, startTime: started);
        if (span is null)
        {
            return;
        }
        tags(span);
        if (error is not null)
        {
            span.SetStatus(ActivityStatusCode.Error, error.Length > 500 ? error[..500] : error);
        }
        span.SetEndTime(ended.UtcDateTime);
    }
}
