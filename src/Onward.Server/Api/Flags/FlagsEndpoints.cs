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
        flags.MapGet("", ListAsync).RequireRole(Role.Viewer);
        flags.MapPut("", ReplaceAsync).RequireRole(Role.Deployer).WithMetadata(new RequestSizeLimitAttribute(MostDocumentBytes));
        flags.MapPatch("/{key}", SwitchAsync).RequireRole(Role.Deployer);
        flags.MapDelete("/{key}/override", RemoveSwitchAsync).RequireRole(Role.Deployer);
        flags.MapGet("/{key}/history", HistoryAsync).RequireRole(Role.Viewer);
        flags.MapGet("/history", HistoryAsync).RequireRole(Role.Viewer);
        flags.MapGet("/{key}/results", ResultsAsync).RequireRole(Role.Viewer);
        flags.MapGet("/requests", RequestsAsync).RequireRole(Role.Viewer);
        flags.MapPost("/requests/{id:long}/approve", (string environment, long id, FlagDecisionRequest? body, FlagApprovals approvals, HttpContext http, CancellationToken ct) =>
            DecideAsync(environment, id, ApprovalDecision.Approved, body, approvals, http, ct)).RequireRole(Role.Viewer);
        flags.MapPost("/requests/{id:long}/reject", (string environment, long id, FlagDecisionRequest? body, FlagApprovals approvals, HttpContext http, CancellationToken ct) =>
            DecideAsync(environment, id, ApprovalDecision.Rejected, body, approvals, http, ct)).RequireRole(Role.Viewer);
        api.MapGet("/services/{service}/flags/diff", DiffAsync).RequireRole(Role.Viewer);
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
        string environment, OnwardConfig config, FlagCatalog catalog, FlagApprovals approvals, HttpContext http, CancellationToken cancellationToken)
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
        string document;
        try
        {
            document = await ReadLimitedAsync(http.Request.Body, MostDocumentBytes, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            return TypedResults.Problem(statusCode: 413, title: "Payload Too Large", detail: e.Message);
        }
        if (approvals.Required(environment))
        {
            if (FlagSet.Parse(document) is { Problems.Count: > 0 } parsed)
            {
                return Invalid($"the flag document has {parsed.Problems.Count} problem{(parsed.Problems.Count == 1 ? "" : "s")}; nothing was requested", parsed.Problems);
            }
            var comment = http.Request.Query["comment"].ToString();
            if (FieldChecks.Problem(("comment", comment, FlagSwitch.LongestComment, true)) is { } commentProblem)
            {
                return commentProblem;
            }
            return await AcceptedAsync(approvals, environment, FlagRequestKinds.Set, null, document, http,
                comment.Length > 0 ? comment : "replace the environment's flag set", cancellationToken);
        }
        var (count, problems) = await catalog.ReplaceEnvironmentSetAsync(environment, document, CallerIdentity.Of(http).Name, cancellationToken);
        if (problems.Count > 0)
        {
            return Invalid($"the flag document has {problems.Count} problem{(problems.Count == 1 ? "" : "s")}; nothing was changed", problems);
        }
        return TypedResults.Ok(new FlagSetReplacedResponse(environment, count));
    }

    private static async Task<Results<Ok<FlagResponse>, Accepted<FlagChangeRequestResponse>, ProblemHttpResult>> SwitchAsync(
        string environment, string key, FlagSwitchRequest? body, OnwardConfig config, FlagCatalog catalog, FlagApprovals approvals, HttpContext http,
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
        if (body is null || string.IsNullOrWhiteSpace(body.Comment))
        {
            return FieldChecks.BadRequest("say why in `comment`; switches are kept in the flag's history and the audit trail");
        }
        if (body.State is null && body.DefaultVariant is null && body.Targeting is null)
        {
            return FieldChecks.BadRequest("send at least one of `state` (ENABLED or DISABLED), `defaultVariant` or `targeting` ({} for none)");
        }
        if (body.State is not (null or "ENABLED" or "DISABLED"))
        {
            return FieldChecks.BadRequest($"`state` is \"{body.State}\"; it is ENABLED or DISABLED");
        }
        if (body.Targeting is not null && Encoding.UTF8.GetByteCount(body.Targeting.ToJsonString()) > 64 * 1024)
        {
            return FieldChecks.BadRequest("`targeting` is over 64 KiB; keep rules small, or put them in the flag document");
        }
        if (approvals.Required(environment))
        {
            if ((await catalog.GetAsync(environment, cancellationToken)).Flags.GetValueOrDefault(key) is not { } effective)
            {
                return NoSuchFlag(environment, key);
            }
            // A request is checked as the switch would be, so that approvers are never asked for one that cannot apply.
            var (_, _, refused) = EnvironmentFlags.Switch(effective, environment, body.State is null ? null : body.State == "ENABLED", body.DefaultVariant, body.Targeting,
                CallerIdentity.Of(http).Name, body.Comment.Trim(), DateTimeOffset.UtcNow);
            if (refused.Count > 0)
            {
                return Invalid($"the switch cannot apply to {key}; nothing was requested", refused);
            }
            var payload = new System.Text.Json.Nodes.JsonObject { ["state"] = body.State, ["defaultVariant"] = body.DefaultVariant, ["targeting"] = body.Targeting?.DeepClone() };
            return await AcceptedAsync(approvals, environment, FlagRequestKinds.Switch, key, payload.ToJsonString(), http, body.Comment.Trim(), cancellationToken);
        }
        var (flag, problems) = await catalog.SwitchAsync(environment, key, body.State is null ? null : body.State == "ENABLED", body.DefaultVariant, body.Targeting,
            CallerIdentity.Of(http).Name, body.Comment.Trim(), cancellationToken);
        if (problems.Count > 0)
        {
            return Invalid($"the switch cannot apply to {key}; nothing was changed", problems);
        }
        return flag is null ? NoSuchFlag(environment, key) : TypedResults.Ok(FlagMapping.ToResponse(flag));
    }

    private static async Task<Results<Ok<FlagResponse>, NoContent, Accepted<FlagChangeRequestResponse>, ProblemHttpResult>> RemoveSwitchAsync(
        string environment, string key, string? comment, OnwardConfig config, FlagCatalog catalog, FlagApprovals approvals, HttpContext http, CancellationToken cancellationToken)
    {
        if (Unknown(environment, config) is { } unknown)
        {
            return unknown;
        }
        if (FieldChecks.Problem(("comment", comment, FlagSwitch.LongestComment, true)) is { } problem)
        {
            return problem;
        }
        if (approvals.Required(environment))
        {
            if ((await catalog.GetAsync(environment, cancellationToken)).Flags.GetValueOrDefault(key)?.Switch is null)
            {
                return TypedResults.Problem(statusCode: 404, title: "Not Found", detail: $"{key} has no switch in {environment}; `GET …/flags` shows which flags are switched");
            }
            return await AcceptedAsync(approvals, environment, FlagRequestKinds.RemoveSwitch, key, "{}", http,
                comment is { Length: > 0 } ? comment : $"remove the switch on {key}", cancellationToken);
        }
        if (!await catalog.RemoveSwitchAsync(environment, key, CallerIdentity.Of(http).Name, comment, cancellationToken))
        {
            return TypedResults.Problem(statusCode: 404, title: "Not Found", detail: $"{key} has no switch in {environment}; `GET …/flags` shows which flags are switched");
        }
        var flags = await catalog.GetAsync(environment, cancellationToken);
        return flags.Flags.TryGetValue(key, out var flag) ? TypedResults.Ok(FlagMapping.ToResponse(flag)) : TypedResults.NoContent();
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

    private static async Task<Accepted<FlagChangeRequestResponse>> AcceptedAsync(
        FlagApprovals approvals, string environment, string kind, string? key, string payload, HttpContext http, string comment, CancellationToken cancellationToken)
    {
        var request = await approvals.RequestAsync(environment, kind, key, payload, CallerIdentity.Of(http).Name, comment, cancellationToken);
        return TypedResults.Accepted($"/api/v1/environments/{environment}/flags/requests", await ToResponseAsync(approvals, request, cancellationToken));
    }

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
        if (!approvals.Required(environment))
        {
            return TypedResults.Ok(Array.Empty<FlagChangeRequestResponse>());
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
        if (!approvals.Required(environment))
        {
            return TypedResults.Problem(statusCode: 404, title: "Not Found", detail: $"flag changes in {environment} need no approval, so there are no requests to decide on");
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

    private static async Task<string> ReadLimitedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new InvalidDataException($"the flag document is over {limit / 1024} KiB; split it or trim it");
            }
            buffer.Write(chunk, 0, read);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
