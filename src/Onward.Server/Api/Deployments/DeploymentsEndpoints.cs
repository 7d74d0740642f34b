using Onward.Core.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Deployments;
using Onward.Core.Approvals;
using Onward.Core.Canaries;
using Onward.Core.Configuration;
using Onward.Contracts.Problems;
using Onward.Core.Deployments;
using Onward.Core.Drift;
using Onward.Core.Kubernetes;
using Onward.Integrations.Kubernetes;
using Onward.Server.Api.Drift;
using Onward.Core.Sources;
using Onward.Server.Auth;
using Onward.Server.Views;

namespace Onward.Server.Api.Deployments;

public static class DeploymentsEndpoints
{
    public static void MapDeployments(this IEndpointRouteBuilder api)
    {
        var deployments = api.MapGroup("/deployments");
        deployments.MapGet("", ListAsync).RequireRole(Permissions.Read);
        deployments.MapGet("/{id:long}", GetAsync).RequireRole(Permissions.Read);
        deployments.MapGet("/{id:long}/manifests", ManifestsAsync).RequireRole(Permissions.Read);
        deployments.MapPost("", RequestAsync).RequireRoleSomewhere(Permissions.RequestDeployment);
        deployments.MapPost("/{id:long}/approve", (long id, DecisionBody? body, DeploymentApprovals approvals, DeploymentViews views, HttpContext http, CancellationToken cancellationToken) =>
            DecideAsync(id, ApprovalDecision.Approved, body, approvals, views, http, cancellationToken)).RequireRoleSomewhere(Permissions.DecideDeployment);
        deployments.MapPost("/{id:long}/reject", (long id, DecisionBody? body, DeploymentApprovals approvals, DeploymentViews views, HttpContext http, CancellationToken cancellationToken) =>
            DecideAsync(id, ApprovalDecision.Rejected, body, approvals, views, http, cancellationToken)).RequireRoleSomewhere(Permissions.DecideDeployment);
        deployments.MapPost("/{id:long}/cancel", CancelAsync).RequireRoleSomewhere(Permissions.CancelDeployment);
        deployments.MapPost("/{id:long}/canary/abort", (long id, CanaryActions canary, DeploymentViews views, HttpContext http, CancellationToken cancellationToken) =>
            CanaryAsync(id, canary.AskAsync(id, CallerIdentity.Of(http), CanaryAsk.Abort, cancellationToken), views, cancellationToken)).RequireRoleSomewhere(Permissions.SteerCanaries);
        deployments.MapPost("/{id:long}/canary/promote", (long id, CanaryActions canary, DeploymentViews views, HttpContext http, CancellationToken cancellationToken) =>
            CanaryAsync(id, canary.AskAsync(id, CallerIdentity.Of(http), CanaryAsk.Promote, cancellationToken), views, cancellationToken)).RequireRoleSomewhere(Permissions.SteerCanaries);
        deployments.MapPost("/{id:long}/canary/approve", (long id, CanaryActions canary, DeploymentViews views, HttpContext http, CancellationToken cancellationToken) =>
            CanaryAsync(id, canary.ApproveStepAsync(id, CallerIdentity.Of(http), cancellationToken), views, cancellationToken)).RequireRoleSomewhere(Permissions.DecideDeployment);
    }

    private static async Task<Results<Ok<DeploymentResponse>, ProblemHttpResult>> CanaryAsync(
        long id, Task<(CanaryRefusal Refusal, string? Detail)> action, DeploymentViews views, CancellationToken cancellationToken)
    {
        var (refusal, detail) = await action;
        return refusal switch
        {
            CanaryRefusal.NotFound => TypedResults.Problem(statusCode: 404, title: "Not Found", detail: detail),
            CanaryRefusal.Forbidden => TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: detail),
            CanaryRefusal.Conflict => TypedResults.Problem(statusCode: 409, title: "Conflict", detail: detail),
            _ => TypedResults.Ok((await views.FindAsync(id, cancellationToken))!),
        };
    }

    private static async Task<Results<Ok<DeploymentResponse[]>, ProblemHttpResult>> ListAsync(
        IDeploymentStore store, string? service, string? environment, string? state, int? limit, long? before, HttpContext http, CancellationToken cancellationToken)
    {
        DeploymentState? parsed = null;
        if (state is not null)
        {
            if (!FieldChecks.TryParseName<DeploymentState>(state, out var s))
            {
                return TypedResults.Problem(statusCode: 400, title: "Bad Request",
                    detail: $"unknown state '{FieldChecks.Shown(state)}'; use one of {string.Join(", ", Enum.GetNames<DeploymentState>())}");
            }
            parsed = s;
        }
        var page = Paging.Limit(limit, 50, 1000);
        var list = await store.ListAsync(new DeploymentQuery(service, environment, parsed, page) { Before = before }, cancellationToken);
        Paging.LinkNext(http, list.Count, page, "before", list.LastOrDefault()?.Id.ToString());
        return TypedResults.Ok(list.Select(d => d.ToResponse()).ToArray());
    }

    private static async Task<Results<Ok<DeploymentResponse>, ProblemHttpResult>> GetAsync(DeploymentViews views, long id, CancellationToken cancellationToken) =>
        await views.FindAsync(id, cancellationToken) is { } deployment
            ? TypedResults.Ok(deployment)
            : TypedResults.Problem(statusCode: 404, title: "Not Found", detail: $"there is no deployment {id}; `onward deployments list` shows the existing ones");

    /// <summary>What a deployment to a cluster rendered and applied, as one YAML stream.</summary>
    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> ManifestsAsync(
        IDeploymentStore store, IManifestStore manifests, OnwardConfig config, long id, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is not { } deployment)
        {
            return TypedResults.Problem(statusCode: 404, title: "Not Found", detail: $"there is no deployment {id}; `onward deployments list` shows the existing ones");
        }
        if (await manifests.GetAsync(id, cancellationToken) is not { } rendered)
        {
            return TypedResults.Problem(statusCode: 404, title: "Not Found",
                detail: $"deployment {id} has no rendered manifests: it went to a local environment, or it ended before anything was rendered");
        }
        var kinds = config.FindService(deployment.Service)?.Deploy.SecretKinds ?? [SecretKind.Secret];
        return TypedResults.Text(RenderedManifests.ToYaml(rendered, kinds), "application/yaml; charset=utf-8");
    }

    private static async Task<Results<Ok<DeploymentResponse>, ProblemHttpResult>> DecideAsync(
        long id, ApprovalDecision decision, DecisionBody? body, DeploymentApprovals approvals, DeploymentViews views, HttpContext http, CancellationToken cancellationToken)
    {
        if (FieldChecks.Problem(("comment", body?.Comment, FieldLimits.Text, true)) is { } problem)
        {
            return problem;
        }
        var answer = await approvals.DecideAsync(id, CallerIdentity.Of(http), decision, body?.Comment, cancellationToken);
        return answer.Error switch
        {
            ApprovalError.NotFound => TypedResults.Problem(statusCode: 404, title: "Not Found", detail: answer.Detail),
            ApprovalError.Forbidden => TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: answer.Detail),
            ApprovalError.Conflict => TypedResults.Problem(statusCode: 409, title: "Conflict", detail: answer.Detail),
            _ => TypedResults.Ok(await views.FullAsync(answer.Deployment!, cancellationToken)),
        };
    }

    private static async Task<Results<Ok<DeploymentResponse>, ProblemHttpResult>> CancelAsync(
        long id, DecisionBody? body, DeploymentRequests requests, DeploymentViews views, HttpContext http, CancellationToken cancellationToken)
    {
        if (FieldChecks.Problem(("comment", body?.Comment, FieldLimits.Text, true)) is { } problem)
        {
            return problem;
        }
        var (deployment, cancelled, forbidden) = await requests.CancelAsync(id, CallerIdentity.Of(http), body?.Comment, cancellationToken);
        if (forbidden is not null)
        {
            return TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: forbidden);
        }
        if (deployment is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "Not Found", detail: $"there is no deployment {id}; `onward deployments list` shows the existing ones");
        }
        if (!cancelled)
        {
            return TypedResults.Problem(statusCode: 409, title: "Conflict",
                detail: $"deployment {id} is {deployment.State}; only a deployment that is queued or awaiting approval can be cancelled");
        }
        return TypedResults.Ok(await views.FullAsync(deployment, cancellationToken));
    }

    private static async Task<Results<Accepted<DeploymentResponse>, ProblemHttpResult>> RequestAsync(
        DeploymentRequestBody? body, DeploymentRequests requests, IDeploymentStore store, HttpContext http, CancellationToken cancellationToken)
    {
        if (body is null || string.IsNullOrWhiteSpace(body.Service) || string.IsNullOrWhiteSpace(body.Environment))
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad Request",
                detail: "send a JSON body with `service`, `environment` and one of `version` or `commit`, e.g. {\"service\":\"billing\",\"environment\":\"prod\",\"version\":\"1a2b3c4\"}");
        }
        if (FieldChecks.Problem(
                ("service", body.Service, FieldLimits.Name, false),
                ("environment", body.Environment, FieldLimits.Name, false),
                ("version", body.Version, FieldLimits.Version, false),
                ("commit", body.Commit, FieldLimits.Ref, false),
                ("reason", body.Reason, FieldLimits.Text, true),
                ("override", body.Override, FieldLimits.Text, true)) is { } problem)
        {
            return problem;
        }
        if (Blank(body.Commit) is { } commit && !CommitId.IsFull(commit))
        {
            return FieldChecks.BadRequest(CommitId.Problem("commit", commit) + "; to name a release by its short hash, send it as `version`");
        }
        var caller = CallerIdentity.Of(http);
        var outcome = await requests.RequestAsync(
            new DeploymentRequest(body.Service, body.Environment, Blank(body.Version), Blank(body.Commit), Blank(body.Reason), body.Override, caller.Name, DeploymentTrigger.Manual),
            caller, cancellationToken);
        if (outcome.Deployment is not { } deployment)
        {
            return outcome.Error switch
            {
                RequestError.NotFound => TypedResults.Problem(statusCode: 404, title: "Not Found", detail: outcome.Detail),
                RequestError.Forbidden => TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: outcome.Detail),
                RequestError.Malformed => TypedResults.Problem(statusCode: 400, title: "Bad Request", detail: outcome.Detail),
                _ => TypedResults.Problem(statusCode: 422, title: "Unprocessable Content", detail: outcome.Detail),
            };
        }
        if (deployment.State == DeploymentState.Blocked)
        {
            return TypedResults.Problem(statusCode: 409, title: "Blocked",
                detail: $"{outcome.Detail}. Deployment {deployment.Id} records the refusal; an admin can deploy anyway with a written `override` reason.",
                extensions: new Dictionary<string, object?> { ["deploymentId"] = deployment.Id });
        }
        var events = await store.EventsAsync(deployment.Id, cancellationToken);
        return TypedResults.Accepted($"/api/v1/deployments/{deployment.Id}", deployment.ToResponse(events));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
