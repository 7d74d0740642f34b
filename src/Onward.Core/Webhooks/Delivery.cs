using Onward.Core.Releases;

namespace Onward.Core.Webhooks;

/// <summary>One webhook request as received and decided on: what it said, and why it did or did not build.</summary>
public sealed record Delivery(
    long Id,
    string Provider,
    string Event,
    string DeliveryId,
    DateTimeOffset ReceivedAt,
    string? Repository,
    string? Ref,
    RefKind? RefKind,
    string? Name,
    string? Commit,
    bool? Forced,
    DeliveryAction Action,
    string Reason,
    long? ReleaseId);
