using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Audit;
using Onward.Core.Access;
using Onward.Core.Audit;
using Onward.Server.Auth;
using Onward.Storage.Audit;

namespace Onward.Server.Api.Audit;

public static class AuditEndpoints
{
    public static void MapAudit(this IEndpointRouteBuilder api) =>
        api.MapGet("/audit", ListAsync).RequireRole(Permissions.Read);

    private static async Task<Results<Ok<AuditEntryResponse[]>, ProblemHttpResult>> ListAsync(
        IAuditLog log, string? service, string? environment, string? actor, int? limit, string? before, HttpContext http, CancellationToken cancellationToken)
    {
        if (before is not null && AuditLog.ParseCursor(before) is null)
        {
            return FieldChecks.BadRequest("`before` is not a cursor of the audit trail; use the one in the `Link` header of the previous page");
        }
        var page = Paging.Limit(limit, 100, 5000);
        var entries = await log.ListAsync(new AuditQuery(service, environment, actor, page) { Before = before }, cancellationToken);
        Paging.LinkNext(http, entries.Count, page, "before", entries.LastOrDefault()?.Cursor);
        return TypedResults.Ok(entries.Select(e => new AuditEntryResponse(e.At, e.Actor, e.Action, e.Service, e.Environment, e.DeploymentId, e.Message)).ToArray());
    }
}
