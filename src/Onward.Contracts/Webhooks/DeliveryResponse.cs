namespace Onward.Contracts.Webhooks;

/// <param name="RefKind"><c>branch</c>, <c>tag</c> or null.</param>
/// <param name="Action"><c>build</c> or <c>ignore</c>.</param>
/// <param name="Reason">Why the delivery did or did not build, in words.</param>
public sealed record DeliveryResponse(
    long Id,
    string Provider,
    string Event,
    string DeliveryId,
    DateTimeOffset ReceivedAt,
    string? Repository,
    string? Ref,
    string? RefKind,
    string? Name,
    string? Commit,
    bool? Forced,
    string Action,
    string Reason,
    long? ReleaseId);
