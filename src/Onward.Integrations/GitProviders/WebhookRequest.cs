namespace Onward.Integrations.GitProviders;

/// <summary>A webhook as it arrived: its headers and the raw bytes of its body (signatures are over those bytes).</summary>
public sealed record WebhookRequest(Func<string, string?> Header, byte[] Body);
