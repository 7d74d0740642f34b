namespace Onward.Contracts.Environments;

/// <summary>The body of <c>POST /api/v1/environments/{name}/freeze</c>.</summary>
/// <param name="Until">When the freeze ends: an ISO 8601 time (<c>2026-12-01T08:00:00Z</c>) or a duration from now (<c>12h</c>).</param>
public sealed record FreezeRequestBody(string? Until, string? Reason);
