using Onward.Contracts.Deployments;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Environments;
using Onward.Contracts.Problems;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Freezes;
using Onward.Core.Pipeline;
using Onward.Integrations.LocalProcesses;
using Onward.Server.Auth;

namespace Onward.Server.Api.Environments;

public static class EnvironmentsEndpoints
{
    public static void MapEnvironments(this IEndpointRouteBuilder api)
    {
        api.MapGet("/environments", ListAsync).RequireRole(Role.Viewer);
        api.MapGet("/environments/{name}", GetAsync).RequireRole(Role.Viewer);
        api.MapPost("/environments/{name}/freeze", FreezeAsync).RequireRole(Role.Admin);
        api.MapDelete("/environments/{name}/freeze", UnfreezeAsync).RequireRole(Role.Admin);
    }

    private static async Task<Ok<EnvironmentResponse[]>> ListAsync(OnwardConfig config, LocalTarget local, EnvironmentFreezes freezes, CancellationToken cancellationToken)
    {
        var frozen = await freezes.ActiveAllAsync(cancellationToken);
        return TypedResults.Ok(config.Environments.Select(e => ToResponse(e, config, local, frozen.GetValueOrDefault(e.Name))).ToArray());
    }

    private static async Task<Results<Ok<EnvironmentResponse>, ProblemHttpResult>> GetAsync(
        string name, OnwardConfig config, LocalTarget local, EnvironmentFreezes freezes, CancellationToken cancellationToken)
    {
        if (config.FindEnvironment(name) is not { } environment)
        {
            return Unknown(name, config);
        }
        return TypedResults.Ok(ToResponse(environment, config, local, await freezes.ActiveAsync(environment, cancellationToken)));
    }

    private static async Task<Results<Ok<EnvironmentResponse>, ProblemHttpResult>> FreezeAsync(
        string name, FreezeRequestBody? body, OnwardConfig config, LocalTarget local, EnvironmentFreezes freezes, TimeProvider time, HttpContext http,
        CancellationToken cancellationToken)
    {
        if (config.FindEnvironment(name) is not { } environment)
        {
            return Unknown(name, config);
        }
        if (FieldChecks.Problem(("until", body?.Until, FieldLimits.Word, false), ("reason", body?.Reason, FieldLimits.Text, true)) is { } problem)
        {
            return problem;
        }
        if (body?.Until is not { Length: > 0 } untilText || string.IsNullOrWhiteSpace(body.Reason))
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad Request",
                detail: "send `until` (an ISO 8601 time such as 2026-12-01T08:00:00Z, or a duration from now such as 12h) and a written `reason`");
        }
        if (ReadUntil(untilText, time.GetUtcNow(), out var until) is { } untilProblem)
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad Request", detail: untilProblem);
        }
        await freezes.SetAsync(name, until, body.Reason.Trim(), CallerIdentity.Of(http).Name, cancellationToken);
        return TypedResults.Ok(ToResponse(environment, config, local, await freezes.ActiveAsync(environment, cancellationToken)));
    }

    private static async Task<Results<Ok<EnvironmentResponse>, ProblemHttpResult>> UnfreezeAsync(
        string name, OnwardConfig config, LocalTarget local, EnvironmentFreezes freezes, IDeploymentStore deployments, IJobQueue jobs, TimeProvider time,
        HttpContext http, CancellationToken cancellationToken)
    {
        if (config.FindEnvironment(name) is not { } environment)
        {
            return Unknown(name, config);
        }
        var lifted = await freezes.LiftAsync(name, CallerIdentity.Of(http).Name, cancellationToken);
        if (lifted.Count == 0)
        {
            return TypedResults.Problem(statusCode: 409, title: "Conflict", detail: environment.Policy.Freeze.Count > 0
                ? $"{name} has no ad-hoc freeze to lift; its freeze windows come from onward.yaml, and an admin deploys during one with a written override"
                : $"{name} is not frozen");
        }
        await WakeQueuedAsync(name, deployments, jobs, cancellationToken);
        return TypedResults.Ok(ToResponse(environment, config, local, await freezes.ActiveAsync(environment, cancellationToken)));
    }

    /// <summary>When a freeze requested for <paramref name="text"/> ends: a time, or a duration from now; what is wrong with it, or null.</summary>
    public static string? ReadUntil(string text, DateTimeOffset now, out DateTimeOffset until)
    {
        if (DurationText.TryParse(text, out var duration))
        {
            until = now + duration;
        }
        else if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out until))
        {
            return $"'{text}' is neither a time nor a duration; write e.g. 2026-12-01T08:00:00Z or 12h";
        }
        return until <= now ? $"{until:u} has passed; a freeze must end in the future" : null;
    }

    /// <summary>Deployments held by a lifted freeze go ahead now rather than at their next look.</summary>
    public static async Task WakeQueuedAsync(string environment, IDeploymentStore deployments, IJobQueue jobs, CancellationToken cancellationToken)
    {
        foreach (var waiting in await deployments.ListAsync(new DeploymentQuery(null, environment, DeploymentState.Queued, 1000), cancellationToken))
        {
            jobs.Wake(JobKind.Deploy, waiting.Id);
        }
    }

    private static ProblemHttpResult Unknown(string name, OnwardConfig config) =>
        TypedResults.Problem(statusCode: 404, title: "Not Found",
            detail: $"unknown environment '{name}'; known environments: {string.Join(", ", config.Environments.Select(e => e.Name))}");

    private static EnvironmentResponse ToResponse(EnvironmentConfig e, OnwardConfig config, LocalTarget local, ActiveFreeze? frozen) => new(
        e.Name,
        e.Target.Local is not null
            ? new TargetResponse(e.Target.Kind.ToString().ToLowerInvariant(), config.Services
                .Select(s => (s.Name, Address: local.Address(s.Name, e.Name)))
                .Where(p => p.Address is not null)
                .ToDictionary(p => p.Name, p => new Uri(p.Address!).Port), null, null)
            : new TargetResponse(e.Target.Kind.ToString().ToLowerInvariant(), null, e.Target.Kubernetes!.Context, e.Target.Kubernetes.Namespace),
        new PolicyResponse(
            e.Policy.AutoDeploy == AutoDeployMode.Main ? "main" : null,
            e.Policy.Requires,
            e.Policy.AutoPromoteReleaseCandidates ? "releaseCandidates" : null,
            e.Policy.Approval is { } a
                ? new ApprovalPolicyResponse(a.Required, a.Approvers, a.AllowSelfApproval, a.IncludeAutoPromotions, DurationText.Format(a.Expiry))
                : null,
            e.Policy.ForwardOnly,
            e.Policy.OnFailure.ToString().ToLowerInvariant(),
            e.Policy.Freeze.Select(w => new FreezeWindowResponse(w.Cron, DurationText.Format(w.Duration), w.TimeZone)).ToList()),
        frozen is null ? null : new FreezeResponse(frozen.Until, frozen.Why));
}
