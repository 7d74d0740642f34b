namespace Onward.Contracts.Environments;

/// <summary>A freeze in force: until when, and why (a window of the policy, or who froze it and for what).</summary>
public sealed record FreezeResponse(DateTimeOffset Until, string Reason);
