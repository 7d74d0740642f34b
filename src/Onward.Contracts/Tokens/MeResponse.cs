namespace Onward.Contracts.Tokens;

/// <summary>Who the caller is to Onward (<c>GET /api/v1/me</c>): their name, role everywhere, groups and team roles.</summary>
/// <param name="Subject">For a person who signed in with the provider, <c>issuer#sub</c>; null for a token.</param>
public sealed record MeResponse(string Name, string Role, IReadOnlyList<string> Groups, IReadOnlyList<string> Teams, string? Subject);
