namespace Onward.Contracts.Notifications;

/// <summary>One event and what it tells (the sink's address is never shown: it can be a credential).</summary>
public sealed record NotificationEventResponse(
    long Id, NotificationKind Type, string? Service, string? Environment, string? Version, long? DeploymentId, long? ReleaseId, string Actor, string Message, DateTimeOffset OccurredAt);

/// <param name="State">pending (to be tried, at <paramref name="NextAt"/>), sent, or failed (given up, with why in <paramref name="LastError"/>).</param>
public sealed record NotificationDeliveryResponse(
    long Id, string Sink, NotificationEventResponse Event, string State, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? NextAt,
    DateTimeOffset? SentAt, int? LastStatus, string? LastError);
