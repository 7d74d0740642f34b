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
        api.MapGet("/environments", ListAsync).RequireRole(Permissions.Read);
        api.MapGet("/environments/{name}", GetAsync).RequireRole(Permissions.Read);
        api.MapPost("/environments/{name}/freeze", FreezeAsync).RequireRole(Permissions.FreezeEnvironments);
        api.MapDelete("/environments/{name}/freeze", UnfreezeAsync).RequireRole(Permissions.FreezeEnvironments);
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
        string name, FreezeRequestBody? body, OnwardConfig config, LocalTarget local, FreezeChanges changes, HttpContext http, CancellationToken cancellationToken)
    {
        if (FieldChecks.Problem(("until", body?.Until, FieldLimits.Word, false), ("reason", body?.Reason, FieldLimits.Text, true)) is { } problem)
        {
            return problem;
        }
        return Answer(await changes.FreezeAsync(name, body?.Until, body?.Reason, CallerIdentity.Of(http), cancellationToken), config, local);
    }

    private static async Task<Results<Ok<EnvironmentResponse>, ProblemHttpResult>> UnfreezeAsync(
        string name, OnwardConfig config, LocalTarget local, FreezeChanges changes, HttpContext http, CancellationToken cancellationToken) =>
        Answer(await changes.LiftAsync(name, CallerIdentity.Of(http), cancellationToken), config, local);

    private static Results<Ok<EnvironmentResponse>, ProblemHttpResult> Answer(FreezeOutcome outcome, OnwardConfig config, LocalTarget local) => outcome switch
    {
        FreezeOutcome.Changed changed => TypedResults.Ok(ToResponse(changed.Environment, config, local, changed.Active)),
        FreezeOutcome.Invalid invalid => TypedResults.Problem(statusCode: 400, title: "Bad Request", detail: invalid.Detail),
        FreezeOutcome.NotFound notFound => TypedResults.Problem(statusCode: 404, title: "Not Found", detail: notFound.Detail),
        FreezeOutcome.NothingToLift nothing => TypedResults.Problem(statusCode: 409, title: "Conflict", detail: nothing.Detail),
        FreezeOutcome.Forbidden forbidden => TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: forbidden.Detail),
        _ => throw new InvalidOperationException($"unknown outcome {outcome}"),
    };

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
