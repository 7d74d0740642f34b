namespace Onward.Contracts.Webhooks;

/// <summary>Webhook requests refused before they were known to be genuine (never recorded as deliveries), counted since the server started.</summary>
/// <param name="Reason">e.g. <c>missing or wrong X-Hub-Signature-256</c>, <c>payload too large</c>.</param>
public sealed record RefusedWebhookResponse(string Provider, string Reason, long Count, DateTimeOffset LastAt);
