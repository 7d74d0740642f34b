using Onward.Core.Access;
using Onward.Core.Configuration;
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

    private static async Task<Results<Ok<DeliveryResponse[]>, ProblemHttpResult>> ListAsync(
        IDeliveryStore store, int? limit, long? before, string? provider, string? action, HttpContext http, CancellationToken cancellationToken)
    {
        if (ReadFilter(provider, action, out var parsed) is { } problem)
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad Request", detail: problem);
        }
        var page = Paging.Limit(limit, 50, 1000);
        var list = await store.ListAsync(page, before, string.IsNullOrEmpty(provider) ? null : provider, parsed, cancellationToken);
        Paging.LinkNext(http, list.Count, page, "before", list.LastOrDefault()?.Id.ToString());
        return TypedResults.Ok(list.Select(d => d.ToResponse()).ToArray());
    }

    /// <summary>The deliveries list's filters, as the API and the web UI read them; a problem in words when one is unknown.</summary>
    public static string? ReadFilter(string? provider, string? action, out DeliveryAction? parsed)
    {
        parsed = null;
        if (!string.IsNullOrEmpty(provider) && !WebhooksReader.Providers.Contains(provider))
        {
            return $"unknown provider '{FieldChecks.Shown(provider)}'; use one of {string.Join(", ", WebhooksReader.Providers)}";
        }
        if (string.IsNullOrEmpty(action))
        {
            return null;
        }
        if (!FieldChecks.TryParseName<DeliveryAction>(action, out var a))
        {
            return $"unknown action '{FieldChecks.Shown(action)}'; use build or ignore";
        }
        parsed = a;
        return null;
    }
}
