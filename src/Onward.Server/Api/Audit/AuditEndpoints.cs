using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Audit;
using Onward.Core.Access;
using Onward.Core.Audit;
using Onward.Server.Auth;

namespace Onward.Server.Api.Audit;

public static class AuditEndpoints
{
    public static void MapAudit(this IEndpointRouteBuilder api) =>
        api.MapGet("/audit", ListAsync).RequireRole(Role.Viewer);

    private static async Task<Ok<AuditEntryResponse[]>> ListAsync(
        IAuditLog log, string? service, string? environment, string? actor, int? limit, CancellationToken cancellationToken)
    {
        var entries = await log.ListAsync(new AuditQuery(service, environment, actor, Math.Clamp(limit ?? 100, 1, 5000)), cancellationToken);
        return TypedResults.Ok(entries.Select(e => new AuditEntryResponse(e.At, e.Actor, e.Action, e.Service, e.Environment, e.DeploymentId, e.Message)).ToArray());
    }
}
