using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Notifications;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Notifications;
using Onward.Server.Auth;

namespace Onward.Server.Api.Notifications;

public static class NotificationsEndpoints
{
    public static void MapNotifications(this IEndpointRouteBuilder api) =>
        api.MapGet("/notifications/deliveries", ListAsync).RequireRole(Permissions.Read);

    private static async Task<Results<Ok<NotificationDeliveryResponse[]>, ProblemHttpResult>> ListAsync(
        INotificationStore store, OnwardConfig config, int? limit, long? before, string? sink, string? state, HttpContext http, CancellationToken cancellationToken)
    {
        var sinks = NotificationSinks.All(config);
        if (!string.IsNullOrEmpty(sink) && !sinks.Contains(sink))
        {
            return FieldChecks.BadRequest($"no notification named '{FieldChecks.Shown(sink)}'; there are: {string.Join(", ", sinks)}");
        }
        NotificationState? parsed = null;
        if (!string.IsNullOrEmpty(state))
        {
            if (!FieldChecks.TryParseName<NotificationState>(state, out var s))
            {
                return FieldChecks.BadRequest($"unknown state '{FieldChecks.Shown(state)}'; use pending, sent or failed");
            }
            parsed = s;
        }
        var page = Paging.Limit(limit, 50, 1000);
        var list = await store.ListAsync(page, before, string.IsNullOrEmpty(sink) ? null : sink, parsed, cancellationToken);
        Paging.LinkNext(http, list.Count, page, "before", list.LastOrDefault()?.Id.ToString());
        var admin = CallerIdentity.Of(http).May(Permissions.ReadReceiverAnswers);
        return TypedResults.Ok(list.Select(d => ToResponse(d, admin)).ToArray());
    }

    /// <param name="admin">Whether the caller sees what receivers answered; others see the host, status and reason alone.</param>
    private static NotificationDeliveryResponse ToResponse(NotificationDelivery d, bool admin) => new(
        d.Id, d.Sink,
        new NotificationEventResponse(d.Event.Id, d.Event.Kind, d.Event.Service, d.Event.Environment, d.Event.Version, d.Event.DeploymentId,
            d.Event.ReleaseId, d.Event.Actor, d.Event.Message, d.Event.At),
        d.State.ToString().ToLowerInvariant(), d.Attempts, d.CreatedAt, d.State == NotificationState.Pending ? d.NextAt : null, d.SentAt, d.LastStatus, admin ? d.LastError : DeliveryErrors.ForViewers(d.LastError));
}
