using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Messages;

namespace Onward.Server.Auth;

/// <summary>
/// Access tokens the company's provider issued to a person for Onward's API (JWTs for <c>auth.oidc.audience</c>, the
/// client id by default): checked against the provider's keys (read again when a key is unknown), issuer, audience,
/// expiry and algorithm (RS256, ES256); the person's groups give their roles as at a sign-in in the browser. A person
/// an admin revoked is refused. What a token gave is remembered until it expires; revocation is looked up every time.
/// </summary>
public sealed class ProviderAccessTokens(OnwardConfig config, IOptionsMonitor<OpenIdConnectOptions> options, ITokenStore tokens, TimeProvider time)
{
    private const int MostRemembered = 10_000;
    private readonly ConcurrentDictionary<string, (long PersonId, DateTimeOffset Until)> _known = new(StringComparer.Ordinal);
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>Whether <paramref name="token"/> looks like a JWT (three dot-separated parts), rather than an Onward token.</summary>
    public static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2 && token.StartsWith("eyJ", StringComparison.Ordinal);

    /// <returns>Who the token stands for; or why it is refused, in one line.</returns>
    public async Task<(Identity? Who, string? Refusal)> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        if (config.Auth.Oidc is not { } oidc)
        {
            return (null, "this server takes no access tokens from a provider (auth.oidc is not set)");
        }
        var now = time.GetUtcNow();
        var key = TokenSecrets.Hash(token);
        if (_known.TryGetValue(key, out var known) && known.Until > now)
        {
            return await tokens.ActiveSecretHashAsync(known.PersonId, now, cancellationToken) is { } hash
                && await tokens.FindActiveAsync(hash, now, cancellationToken) is { } remembered
                ? (remembered.Identity, null)
                : (null, "an admin revoked this person's access to Onward");
        }
        var manager = options.Get(OidcSignIn.Scheme).ConfigurationManager!;
        TokenValidationResult result;
        try
        {
            result = await ValidateAsync(token, oidc, await manager.GetConfigurationAsync(cancellationToken));
            if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
            {
                // The provider may have rotated its keys since they were read: read them again once.
                manager.RequestRefresh();
                result = await ValidateAsync(token, oidc, await manager.GetConfigurationAsync(cancellationToken));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException)
        {
            return (null, $"{oidc.Name} cannot be reached to check the access token's signature");
        }
        if (!result.IsValid)
        {
            return (null, OidcSignIn.Describe(result.Exception, oidc, "the access token"));
        }
        var (person, refusal) = OidcSignIn.Person(oidc, new ClaimsPrincipal(result.ClaimsIdentity), "the access token");
        if (person is null)
        {
            return (null, refusal);
        }
        var (signedIn, refused) = await tokens.SignInPersonAsync(person, now, cancellationToken);
        if (signedIn is null)
        {
            return (null, refused);
        }
        if (_known.Count >= MostRemembered)
        {
            _known.Clear();
        }
        var expires = result.SecurityToken.ValidTo == DateTime.MinValue ? now.AddMinutes(5) : new DateTimeOffset(result.SecurityToken.ValidTo, TimeSpan.Zero);
        _known[key] = (signedIn.Id, expires);
        return (signedIn.Identity, null);
    }

    private Task<TokenValidationResult> ValidateAsync(string token, OidcOptions oidc, Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectConfiguration metadata) =>
        _handler.ValidateTokenAsync(token, OidcSignIn.TokenChecks(oidc, metadata, oidc.Audience));
}
