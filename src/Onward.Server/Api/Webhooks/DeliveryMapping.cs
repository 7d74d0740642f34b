using Onward.Contracts.Webhooks;
using Onward.Core.Webhooks;

namespace Onward.Server.Api.Webhooks;

public static class DeliveryMapping
{
    public static DeliveryResponse ToResponse(this Delivery delivery) => new(
        delivery.Id,
        delivery.Provider,
        delivery.Event,
        delivery.DeliveryId,
        delivery.ReceivedAt,
        delivery.Repository,
        delivery.Ref,
        delivery.RefKind?.ToString().ToLowerInvariant(),
        delivery.Name,
        delivery.Commit,
        delivery.Forced,
        delivery.Action.ToString().ToLowerInvariant(),
        delivery.Reason,
        delivery.ReleaseId);
}
