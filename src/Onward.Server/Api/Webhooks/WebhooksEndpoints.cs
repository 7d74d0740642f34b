using Onward.Core.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Webhooks;
using Onward.Core.Webhooks;
using Onward.Server.Auth;
using Onward.Server.Webhooks;

namespace Onward.Server.Api.Webhooks;

public static class WebhooksEndpoints
{
    public static void MapWebhooks(this IEndpointRouteBuilder api)
    {
        api.MapGet("/webhooks/deliveries", ListAsync).RequireRole(Role.Viewer);
        api.MapGet("/webhooks/refused", (RefusedWebhooks refused) =>
            TypedResults.Ok(refused.Counts.Select(c => new RefusedWebhookResponse(c.Provider, c.Reason, c.Count, c.Last)).ToArray())).RequireRole(Role.Viewer);
    }

    private static async Task<Ok<DeliveryResponse[]>> ListAsync(IDeliveryStore store, int? limit, long? before, HttpContext http, CancellationToken cancellationToken)
    {
        var page = Paging.Limit(limit, 50, 1000);
        var list = await store.ListAsync(page, before, cancellationToken);
        Paging.LinkNext(http, list.Count, page, "before", list.LastOrDefault()?.Id.ToString());
        return TypedResults.Ok(list.Select(d => d.ToResponse()).ToArray());
    }
}
