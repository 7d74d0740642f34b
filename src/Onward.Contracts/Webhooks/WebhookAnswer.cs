namespace Onward.Contracts.Webhooks;

/// <summary>What a provider gets back: the recorded delivery's id and decision, or <c>duplicate: true</c>.</summary>
public sealed record WebhookAnswer(long? Id, bool Duplicate, string? Action, string? Reason);
