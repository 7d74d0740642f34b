using Onward.Core.Configuration;
using Onward.Core.Webhooks;
using Onward.Server.Api;
using Onward.Server.Webhooks;

namespace Onward.Server.Views;

/// <summary>Webhook deliveries, newest first, filtered by provider and action: <c>GET /api/v1/webhooks/deliveries</c> and the deliveries page.</summary>
public sealed class DeliveryViews(IDeliveryStore store)
{
    /// <returns>The deliveries and the action filtered on; or, when a filter is unknown, none and the problem in words.</returns>
    public async Task<(IReadOnlyList<Delivery> Deliveries, DeliveryAction? Action, string? Problem)> ListAsync(
        string? provider, string? action, int page, long? before, CancellationToken cancellationToken)
    {
        if (ReadFilter(provider, action, out var parsed) is { } problem)
        {
            return ([], null, problem);
        }
        return (await store.ListAsync(page, before, string.IsNullOrEmpty(provider) ? null : provider, parsed, cancellationToken), parsed, null);
    }

    /// <summary>The deliveries list's filters, as the API and the web UI read them; a problem in words when one is unknown.</summary>
    private static string? ReadFilter(string? provider, string? action, out DeliveryAction? parsed)
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
