using Onward.Core.Access;
using Onward.Core.Configuration;
using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Webhooks;
using Onward.Core.Webhooks;
using Onward.Server.Auth;
using Onward.Server.Views;
using Onward.Server.Webhooks;

namespace Onward.Server.Api.Webhooks;

public static class WebhooksEndpoints
{
    public static void MapWebhooks(this IEndpointRouteBuilder api)
    {
        api.MapGet("/webhooks/deliveries", ListAsync).RequireRole(Permissions.Read);
        api.MapGet("/webhooks/refused", (RefusedWebhooks refused) =>
            TypedResults.Ok(refused.Counts.Select(c => new RefusedWebhookResponse(c.Provider, c.Reason, c.Count, c.Last)).ToArray())).RequireRole(Permissions.Read);
    }

    private static async Task<Results<Ok<DeliveryResponse[]>, ProblemHttpResult>> ListAsync(
        DeliveryViews views, int? limit, long? before, string? provider, string? action, HttpContext http, CancellationToken cancellationToken)
    {
        var page = Paging.Limit(limit, 50, 1000);
        var (list, _, problem) = await views.ListAsync(provider, action, page, before, cancellationToken);
        if (problem is not null)
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad Request", detail: problem);
        }
        Paging.LinkNext(http, list.Count, page, "before", list.LastOrDefault()?.Id.ToString());
        return TypedResults.Ok(list.Select(d => d.ToResponse()).ToArray());
    }
}
