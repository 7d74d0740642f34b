using System.Text;
using Microsoft.AspNetCore.Mvc;
using Onward.Contracts.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Flags;
using Onward.Core.Access;
using Onward.Core.Approvals;
using Onward.Core.Configuration;
using Onward.Core.Flags;
using Onward.Core.Releases;
using Onward.Server.Auth;
using Onward.Server.Problems;

namespace Onward.Server.Api.Flags;

/// <summary>
/// An environment's flags: the effective list with sources, replacing the environment's own set, switching one flag,
/// removing a switch, and every change with its diff.
/// </summary>
public static class FlagsEndpoints
{
    /// <summary>The largest flag document <c>PUT …/flags</c> takes.</summary>
    public const int MostDocumentBytes = 1024 * 1024;

    public static void MapFlags(this IEndpointRouteBuilder api)
    {
        var flags = api.MapGroup("/environments/{environment}/flags");
        flags.MapGet("", ListAsync).RequireRole(Permissions.Read);
        flags.MapPut("", ReplaceAsync).RequireRoleSomewhere(Permissions.ChangeFlags).WithMetadata(new RequestSizeLimitAttribute(MostDocumentBytes));
        flags.MapPatch("/{key}", SwitchAsync).RequireRoleSomewhere(Permissions.ChangeFlags);
        flags.MapDelete("/{key}/override", RemoveSwitchAsync).RequireRoleSomewhere(Permissions.ChangeFlags);
        flags.MapGet("/{key}/history", HistoryAsync).RequireRole(Permissions.Read);
        flags.MapGet("/history", HistoryAsync).RequireRole(Permissions.Read);
        flags.MapGet("/{key}/results", ResultsAsync).RequireRole(Permissions.Read);
        flags.MapGet("/requests", RequestsAsync).RequireRole(Permissions.Read);
        flags.MapPost("/requests/{id:long}/approve", (string environment, long id, FlagDecisionRequest? body, FlagApprovals approvals, HttpContext http, CancellationToken ct) =>
            DecideAsync(environment, id, ApprovalDecision.Approved, body, approvals, http, ct)).RequireRole(Permissions.Read);
        flags.MapPost("/requests/{id:long}/reject", (string environment, long id, FlagDecisionRequest? body, FlagApprovals approvals, HttpContext http, CancellationToken ct) =>
            DecideAsync(environment, id, ApprovalDecision.Rejected, body, approvals, http, ct)).RequireRole(Permissions.Read);
        api.MapGet("/services/{service}/flags/diff", DiffAsync).RequireRole(Permissions.Read);
    }

    private static async Task<Results<Ok<FlagDiffResponse>, ProblemHttpResult>> DiffAsync(
        string service, string? from, string? to, OnwardConfig config, IReleaseStore releases, ReleaseFlags releaseFlags, CancellationToken cancellationToken)
    {
        if (config.FindService(service) is not { } serviceConfig)
        {
            return TypedResults.Problem(statusCode: 404, title: "Not Found",
                detail: $"unknown service '{service}'; known services: {string.Join(", ", config.Services.Select(s => s.Name))}");
        }
        if (serviceConfig.Flags is not { } path)
        {
            return FieldChecks.BadRequest($"{service} ships no flags; set `flags: flags/flags.json` on the service in onward.yaml");
        }
        if (FieldChecks.Problem(("from", from, FieldLimits.Word, false), ("to", to, FieldLimits.Word, false)) is { } problem)
        {
            return problem;
        }
        if (string.IsNullOrEmpty(from) || string.IsNullOrEmpty(to))
        {
            return FieldChecks.BadRequest("give both `from` and `to`, each a version of the service (a short hash or a version label)");
        }
        var sets = new List<FlagSet?>();
        foreach (var version in new[] { from, to })
        {
            if (await releases.FindAsync(service, version, cancellationToken) is not { } release)
            {
                return TypedResults.Problem(statusCode: 404, title: "Not Found", detail: $"{service} has no release {version}; `onward releases list --service {service}` shows them");
            }
            var (document, _) = await releaseFlags.ReadAsync(serviceConfig, release, path, cancellationToken);
            sets.Add(document is null ? null : FlagSet.Parse(document).Set);
        }
        var diff = ReleaseFlags.Diff(sets[0], sets[1]);
        return TypedResults.Ok(new FlagDiffResponse(service, from, to, diff.Select(d =>
            new FlagKeyDiffResponse(d.Key, d.Change, d.Fields.Select(f => new FlagFieldChangeResponse(f.Field, f.Before, f.After)).ToList())).ToList()));
    }

    private static async Task<Results<Ok<EnvironmentFlagsResponse>, ProblemHttpResult>> ListAsync(
        string environment, OnwardConfig config, FlagCatalog catalog, CancellationToken cancellationToken)
    {
        if (Unknown(environment, config) is { } unknown)
        {
            return unknown;
        }
        var flags = await catalog.GetAsync(environment, cancellationToken);
        return TypedResults.Ok(new EnvironmentFlagsResponse(environment,
            flags.Flags.Values.OrderBy(f => f.Flag.Key, StringComparer.Ordinal).Select(FlagMapping.ToResponse).ToList()));
    }

    private static async Task<Results<Ok<FlagSetReplacedResponse>, Accepted<FlagChangeRequestResponse>, ProblemHttpResult>> ReplaceAsync(
        string environment, OnwardConfig config, FlagChanges changes, FlagApprovals approvals, HttpContext http, CancellationToken cancellationToken)
    {
        if (Unknown(environment, config) is { } unknown)
        {
            return unknown;
        }
        if (http.Request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: 415, title: "Unsupported Media Type",
                detail: "send the flag document as `Content-Type: application/json` (flagd's format: {\"flags\": {…}})");
        }
        using var body = await BoundedBody.ReadAsync(http, MostDocumentBytes, cancellationToken);
        if (body is null)
        {
            return TypedResults.Problem(statusCode: 413, title: "Payload Too Large", detail: $"the flag document is over {MostDocumentBytes / 1024} KiB; split it or trim it");
        }
        var document = body.Text();
        var comment = http.Request.Query["comment"].ToString();
        if (FieldChecks.Problem(("comment", comment, FlagSwitch.LongestComment, true)) is { } commentProblem)
        {
            return commentProblem;
        }
        return await changes.ReplaceSetAsync(environment, document, comment, CallerIdentity.Of(http), cancellationToken) switch
        {
            FlagChangeOutcome.Applied applied => TypedResults.Ok(new FlagSetReplacedResponse(environment, applied.Flags)),
            FlagChangeOutcome.Requested requested => await AcceptedAsync(approvals, requested, cancellationToken),
            FlagChangeOutcome.Invalid invalid => Invalid(invalid.Detail, invalid.Problems),
            var other => NotFound(other),
        };
    }

    private static async Task<Results<Ok<FlagResponse>, Accepted<FlagChangeRequestResponse>, ProblemHttpResult>> SwitchAsync(
        string environment, string key, FlagSwitchRequest? body, OnwardConfig config, FlagChanges changes, FlagApprovals approvals, HttpContext http,
        CancellationToken cancellationToken)
    {
        if (Unknown(environment, config) is { } unknown)
        {
            return unknown;
        }
        if (FieldChecks.Problem(("state", body?.State, FieldLimits.Word, false), ("defaultVariant", body?.DefaultVariant, FlagSet.LongestKey, false),
                ("comment", body?.Comment, FlagSwitch.LongestComment, true)) is { } problem)
        {
            return problem;
        }
        var order = new FlagSwitchOrder(body?.State, body?.DefaultVariant, body?.Targeting);
        return await changes.SwitchAsync(environment, key, order, body?.Comment ?? "", CallerIdentity.Of(http), cancellationToken) switch
        {
            FlagChangeOutcome.Applied applied => TypedResults.Ok(FlagMapping.ToResponse(applied.Flag!)),
            FlagChangeOutcome.Requested requested => await AcceptedAsync(approvals, requested, cancellationToken),
            FlagChangeOutcome.Invalid { Problems.Count: 0 } invalid => FieldChecks.BadRequest(invalid.Detail),
            FlagChangeOutcome.Invalid invalid => Invalid(invalid.Detail, invalid.Problems),
            var other => NotFound(other),
        };
    }

    private static async Task<Results<Ok<FlagResponse>, NoContent, Accepted<FlagChangeRequestResponse>, ProblemHttpResult>> RemoveSwitchAsync(
        string environment, string key, string? comment, OnwardConfig config, FlagChanges changes, FlagApprovals approvals, HttpContext http, CancellationToken cancellationToken)
    {
        if (Unknown(environment, config) is { } unknown)
        {
            return unknown;
        }
        if (FieldChecks.Problem(("comment", comment, FlagSwitch.LongestComment, true)) is { } problem)
        {
            return problem;
        }
        return await changes.RemoveSwitchAsync(environment, key, comment, CallerIdentity.Of(http), cancellationToken) switch
        {
            FlagChangeOutcome.Applied { Flag: { } flag } => TypedResults.Ok(FlagMapping.ToResponse(flag)),
            FlagChangeOutcome.Applied => TypedResults.NoContent(),
            FlagChangeOutcome.Requested requested => await AcceptedAsync(approvals, requested, cancellationToken),
            FlagChangeOutcome.Invalid invalid => Invalid(invalid.Detail, invalid.Problems),
            var other => NotFound(other),
        };
    }

    private static async Task<Results<Ok<FlagChangeResponse[]>, ProblemHttpResult>> HistoryAsync(
        string environment, string? key, int? limit, long? before, OnwardConfig config, FlagCatalog catalog, HttpContext http, CancellationToken cancellationToken)
    {
        if (Unknown(environment, config) is { } unknown)
        {
            return unknown;
        }
        var page = Paging.Limit(limit, 50, 500);
        var changes = await catalog.HistoryAsync(environment, key, page, before, cancellationToken);
        if (changes.Count == page)
        {
            http.Response.Headers.Link = $"<{http.Request.Path}?limit={page}&before={changes[^1].Id}>; rel=\"next\"";
        }
        return TypedResults.Ok(changes.Select(FlagMapping.ToResponse).ToArray());
    }

    private static async Task<Results<Ok<ExperimentResultsResponse>, ProblemHttpResult>> ResultsAsync(
        string environment, string key, string? @event, OnwardConfig config, FlagCatalog catalog, IExperimentStore experiments, CancellationToken cancellationToken)
    {
        if (Unknown(environment, config) is { } unknown)
        {
            return unknown;
        }
        if (FieldChecks.Problem(("event", @event, Conversion.LongestEvent, false)) is { } problem)
        {
            return problem;
        }
        if ((await catalog.GetAsync(environment, cancellationToken)).Find(key) is not { } flag)
        {
            return NoSuchFlag(environment, key);
        }
        if (!ExperimentResults.IsExperiment(flag))
        {
            return FieldChecks.BadRequest($"{key} is not an experiment in {environment}: its targeting has no `fractional` split");
        }
        var events = await experiments.EventsAsync(environment, key, cancellationToken);
        var chosen = @event ?? events.FirstOrDefault();
        if (chosen is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "Not Found",
                detail: $"no conversion events yet from users exposed to {key} in {environment}; send them with POST /flags/{environment}/events {{targetingKey, event, value?}}");
        }
        var report = ExperimentResults.Compute(flag, chosen, await experiments.CountAsync(environment, key, chosen, cancellationToken));
        return TypedResults.Ok(new ExperimentResultsResponse(key, environment, chosen, report.Control,
            report.Variants.Select(v => new VariantResultResponse(v.Variant, v.Weight, v.Exposed, v.Converted, v.Rate, v.Difference, v.Low, v.High, v.PValue, v.Significant)).ToList(),
            report.SampleRatioChiSquare, report.SampleRatioPValue, report.Warnings, events));
    }

    private static async Task<Accepted<FlagChangeRequestResponse>> AcceptedAsync(FlagApprovals approvals, FlagChangeOutcome.Requested requested, CancellationToken cancellationToken) =>
        TypedResults.Accepted($"/api/v1/environments/{requested.Request.Environment}/flags/requests", await ToResponseAsync(approvals, requested.Request, cancellationToken));

    /// <summary>A refusal that is not about the change itself: the flag is not there, or the caller may not change flags.</summary>
    private static ProblemHttpResult NotFound(FlagChangeOutcome outcome) => outcome switch
    {
        FlagChangeOutcome.Forbidden forbidden => TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: forbidden.Detail),
        _ => TypedResults.Problem(statusCode: 404, title: "Not Found", detail: ((FlagChangeOutcome.NotFound)outcome).Detail),
    };

    private static async Task<FlagChangeRequestResponse> ToResponseAsync(FlagApprovals approvals, FlagChangeRequest request, CancellationToken cancellationToken) => new(
        request.Id, request.Environment, request.Kind, request.Key, request.RequestedBy, request.Comment, request.State, request.CreatedAt, request.Outcome,
        approvals.Needs(request.Environment),
        (await approvals.DecisionsAsync(request.Id, cancellationToken)).Select(d => new FlagDecisionResponse(d.By, d.Decision.ToString(), d.Comment, d.At)).ToList());

    private static async Task<Results<Ok<FlagChangeRequestResponse[]>, ProblemHttpResult>> RequestsAsync(
        string environment, string? state, OnwardConfig config, FlagApprovals approvals, CancellationToken cancellationToken)
    {
        if (Unknown(environment, config) is { } unknown)
        {
            return unknown;
        }
        var requests = await approvals.ListAsync(environment, string.Equals(state, "pending", StringComparison.OrdinalIgnoreCase), cancellationToken);
        var answers = new List<FlagChangeRequestResponse>();
        foreach (var request in requests)
        {
            answers.Add(await ToResponseAsync(approvals, request, cancellationToken));
        }
        return TypedResults.Ok(answers.ToArray());
    }

    private static async Task<Results<Ok<FlagChangeRequestResponse>, ProblemHttpResult>> DecideAsync(
        string environment, long id, ApprovalDecision decision, FlagDecisionRequest? body, FlagApprovals approvals, HttpContext http, CancellationToken cancellationToken)
    {
        if (FieldChecks.Problem(("comment", body?.Comment, FieldLimits.Text, true)) is { } problem)
        {
            return problem;
        }
        var (request, status, refusal) = await approvals.DecideAsync(environment, id, CallerIdentity.Of(http), decision, body?.Comment, cancellationToken);
        return refusal is not null
            ? TypedResults.Problem(statusCode: status, title: status switch { 403 => "Forbidden", 404 => "Not Found", _ => "Conflict" }, detail: refusal)
            : TypedResults.Ok(await ToResponseAsync(approvals, request!, cancellationToken));
    }

    private static ProblemHttpResult? Unknown(string environment, OnwardConfig config) =>
        config.FindEnvironment(environment) is null
            ? TypedResults.Problem(statusCode: 404, title: "Not Found",
                detail: $"unknown environment '{environment}'; known environments: {string.Join(", ", config.Environments.Select(e => e.Name))}")
            : null;

    private static ProblemHttpResult NoSuchFlag(string environment, string key) =>
        TypedResults.Problem(statusCode: 404, title: "Not Found",
            detail: $"{environment} has no flag `{key}`; define it in the environment's flag set (PUT …/flags) or in a service's flags file first");

    private static ProblemHttpResult Invalid(string detail, IReadOnlyList<FlagProblem> problems) =>
        TypedResults.Problem(statusCode: 400, title: "Bad Request", detail: detail + ": " + string.Join("; ", problems.Take(3)),
            extensions: new Dictionary<string, object?> { ["problems"] = problems.Take(100).Select(p => new { path = p.Path, message = p.Message }).ToList() });
}
