using Onward.Core.Access;

namespace Onward.Core.Configuration;

/// <summary>
/// <c>auth.oidc</c>: people sign in with the company's OpenID provider (authorization code flow with PKCE); the groups
/// it says they are in decide their roles. Tokens stay for machines.
/// </summary>
/// <param name="Name">What the sign-in button calls the provider: "Sign in with {Name}".</param>
/// <param name="Issuer">The provider's issuer; its discovery document is at <c>/.well-known/openid-configuration</c> below it.</param>
/// <param name="Scopes">What is asked for; <c>openid</c> always.</param>
/// <param name="GroupsClaim">The claim holding a person's groups; dots reach into objects (<c>realm_access.roles</c>).</param>
/// <param name="UsernameClaim">The claim that names a person; null for <c>preferred_username</c>, then <c>email</c>, then <c>sub</c>.</param>
/// <param name="Roles">Who has which role: each rule gives a role to a group (<c>*</c> for anyone who signs in), everywhere or only for some services or environments.</param>
/// <param name="SessionLifetime">The longest a session lasts before the person signs in again.</param>
/// <param name="Audience">What access tokens for the API must be issued to; the client id when not given.</param>
public sealed record OidcOptions(
    string Name,
    Uri Issuer,
    string ClientId,
    string ClientSecret,
    IReadOnlyList<string> Scopes,
    string GroupsClaim,
    string? UsernameClaim,
    IReadOnlyList<RoleRule> Roles,
    TimeSpan SessionLifetime,
    string Audience)
{
    public static readonly string[] DefaultScopes = ["openid", "profile", "email"];

    public static readonly TimeSpan DefaultSessionLifetime = TimeSpan.FromHours(8);

    /// <summary>Whether two readings of the file say the same (their lists compared item by item).</summary>
    public static bool Same(OidcOptions? a, OidcOptions? b) =>
        a is null || b is null
            ? a is null && b is null
            : a with { Scopes = [], Roles = [] } == b with { Scopes = [], Roles = [] } && a.Scopes.SequenceEqual(b.Scopes)
                && a.Roles.Select(Key).SequenceEqual(b.Roles.Select(Key));

    private static string Key(RoleRule rule) =>
        $"{rule.Role}|{rule.Group}|{string.Join(',', rule.Services ?? ["*"])}|{string.Join(',', rule.Environments ?? ["*"])}";
}
