namespace Onward.Contracts.Tokens;

/// <summary>The body of <c>POST /api/v1/tokens</c>.</summary>
/// <param name="Role"><c>viewer</c>, <c>deployer</c>, <c>approver</c> or <c>admin</c>.</param>
/// <param name="Groups">Groups for approvals, e.g. <c>release-managers</c>.</param>
/// <param name="Expires">How long the token works, e.g. <c>90d</c>; null for until it is revoked.</param>
public sealed record TokenRequestBody(string? Name, string? Role, IReadOnlyList<string>? Groups, string? Expires = null, string? Environment = null);
