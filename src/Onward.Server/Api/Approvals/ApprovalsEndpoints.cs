using Onward.Contracts.Deployments;
using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Approvals;
using Onward.Core.Access;
using Onward.Core.Approvals;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Server.Api.Deployments;
using Onward.Server.Auth;

namespace Onward.Server.Api.Approvals;

public static class ApprovalsEndpoints
{
    public static void MapApprovals(this IEndpointRouteBuilder api) =>
        api.MapGet("/approvals", ListAsync).RequireRole(Permissions.Read);

    private static async Task<Results<Ok<PendingApprovalResponse[]>, ProblemHttpResult>> ListAsync(
        string? state, int? limit, long? before, OnwardConfig config, IDeploymentStore store, DeploymentApprovals approvals, HttpContext http,
        CancellationToken cancellationToken)
    {
        if (state is not null and not "pending")
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad Request",
                detail: $"unknown state '{FieldChecks.Shown(state)}'; use `pending` (decided approvals are in each deployment's `approvals` and in `GET /api/v1/audit`)");
        }
        var page = Paging.Limit(limit, 200, 1000);
        var waiting = await store.ListAsync(new DeploymentQuery(null, null, DeploymentState.AwaitingApproval, page) { Before = before }, cancellationToken);
        Paging.LinkNext(http, waiting.Count, page, "before", waiting.LastOrDefault()?.Id.ToString());
        var result = new List<PendingApprovalResponse>();
        foreach (var deployment in waiting.OrderBy(d => d.Id))
        {
            if (config.FindEnvironment(deployment.Environment)?.Policy.Approval is not { } policy)
            {
                continue;
            }
            var decided = await approvals.ListAsync(deployment.Id, cancellationToken);
            result.Add(new PendingApprovalResponse(
                deployment.ToResponse(approvals: decided),
                policy.Required,
                policy.Approvers,
                policy.AllowSelfApproval,
                decided.Select(a => a.ToResponse()).ToList(),
                ApprovalRules.ExpiresAt(policy, deployment)));
        }
        return TypedResults.Ok(result.ToArray());
    }
}
