using Onward.Core.Releases;

namespace Onward.Core.Webhooks;

public sealed record NewDelivery(
    string Provider,
    string Event,
    string DeliveryId,
    string? Repository,
    string? Ref,
    RefKind? RefKind,
    string? Name,
    string? Commit,
    bool? Forced,
    DeliveryAction Action,
    string Reason);
