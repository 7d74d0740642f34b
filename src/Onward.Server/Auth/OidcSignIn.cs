using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Messages;
using Onward.Server.Ui;

namespace Onward.Server.Auth;

/// <summary>
/// People sign in with the company's OpenID provider (<c>auth.oidc</c>): <c>/login/oidc</c> sends them there
/// (authorization code flow with PKCE, state and nonce, the answer by query so that SameSite=Lax correlation cookies
/// come back over plain http too), <c>/signin-oidc</c> takes the answer (ASP.NET Core's handler checks issuer,
/// audience, expiry, signature through the provider's JWKS — read again when a key is unknown — and refuses
/// <c>alg: none</c>), the provider's groups decide the person's roles (<see cref="PersonRoles"/>), and the person gets
/// the UI session tokens get, lasting at most <c>sessionLifetime</c>. Every refusal says why in one line, on the page and
/// in the log, and starts no session.
/// </summary>
public static class OidcSignIn
{
    public const string Scheme = "oidc";
    public const string CallbackPath = "/signin-oidc";
    private const int MostGroups = 500;
    private const int MostText = 200;
    /// <summary>The signatures Onward takes from a provider, on ID tokens and access tokens alike.</summary>
    public static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    /// <summary>How a token Onward checks itself (an access token, a device sign-in's ID token) is checked: the provider's keys, issuer, audience, algorithm, a signature and an expiry.</summary>
    public static TokenValidationParameters TokenChecks(OidcOptions oidc, OpenIdConnectConfiguration metadata, string audience) => new()
    {
        ValidIssuer = oidc.Issuer.OriginalString,
        ValidAudience = audience,
        IssuerSigningKeys = metadata.SigningKeys,
        ValidAlgorithms = Algorithms,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = TimeSpan.FromMinutes(1),
    };

    public static IServiceCollection AddOnwardOidc(this IServiceCollection services, OnwardConfig config)
    {
        if (config.Auth.Oidc is not { } oidc)
        {
            return services;
        }
        services.AddSingleton<ProviderAccessTokens>();
        services.AddSingleton<DeviceSignIn>();
        services.AddAuthentication(options => options.DefaultScheme = NoScheme.Name)
            .AddScheme<AuthenticationSchemeOptions, NoScheme>(NoScheme.Name, null)
            .AddOpenIdConnect(Scheme, options =>
        {
            options.Authority = oidc.Issuer.OriginalString;
            options.RequireHttpsMetadata = oidc.Issuer.Scheme == Uri.UriSchemeHttps;
            options.ClientId = oidc.ClientId;
            options.ClientSecret = oidc.ClientSecret;
            options.ResponseType = OpenIdConnectResponseType.Code;
            options.ResponseMode = OpenIdConnectResponseMode.Query;
            options.UsePkce = true;
            options.CallbackPath = CallbackPath;
            // Never signed in to: a valid answer starts Onward's own session and ends the request (TicketReceived).
            options.SignInScheme = NoScheme.Name;
            options.MapInboundClaims = false;
            options.GetClaimsFromUserInfoEndpoint = true;
            options.ClaimActions.MapAll();
            options.SaveTokens = false;
            options.BackchannelTimeout = TimeSpan.FromSeconds(10);
            options.Scope.Clear();
            foreach (var scope in oidc.Scopes)
            {
                options.Scope.Add(scope);
            }
            foreach (var cookie in new[] { options.CorrelationCookie, options.NonceCookie })
            {
                cookie.SameSite = SameSiteMode.Lax;
                cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.HttpOnly = true;
            }
            options.TokenValidationParameters.ValidIssuer = oidc.Issuer.OriginalString;
            options.TokenValidationParameters.ValidAlgorithms = Algorithms;
            options.Events = new OpenIdConnectEvents
            {
                OnRedirectToIdentityProvider = context =>
                {
                    // The provider's admin registers {publicUrl}/signin-oidc: that is the address asked for, however the person reached Onward.
                    context.ProtocolMessage.RedirectUri = new Uri(config.Server.PublicUrl!, CallbackPath).ToString();
                    return Task.CompletedTask;
                },
                OnTokenResponseReceived = context =>
                {
                    // ASP.NET Core takes an ID token from the token endpoint without a signature (OpenID Connect lets a
                    // client trust TLS there); Onward does not: an unsigned or oddly signed ID token is refused.
                    var token = context.TokenEndpointResponse.IdToken is { Length: > 0 } idToken && idToken.Count(c => c == '.') == 2
                        ? new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(idToken)
                        : null;
                    var alg = token?.Alg;
                    // A header that names RS256 over an empty signature is no signature either.
                    if (!Algorithms.Contains(alg, StringComparer.Ordinal) || token?.IsSigned != true)
                    {
                        context.Fail(new SecurityTokenInvalidAlgorithmException($"the ID token's alg is {alg ?? "missing"}") { InvalidAlgorithm = alg });
                    }
                    return Task.CompletedTask;
                },
                OnTicketReceived = TicketReceivedAsync,
                OnRemoteFailure = RemoteFailureAsync,
            };
        });
        return services;
    }

    /// <summary><c>/login/oidc</c>: to the provider, after checking that it answers (a provider that is down gets a page saying so, not an error).</summary>
    public static Task StartAsync(HttpContext context) => StartAsync(context, "/");

    /// <param name="then">The path of this server the person goes on to once signed in.</param>
    public static async Task StartAsync(HttpContext context, string then)
    {
        var config = context.RequestServices.GetRequiredService<OnwardConfig>();
        if (config.Auth.Oidc is not { } oidc)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var options = context.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(Scheme);
        try
        {
            await options.ConfigurationManager!.GetConfigurationAsync(context.RequestAborted);
            // The challenge may ask the provider too (a pushed authorization request), with its document read long ago.
            await context.ChallengeAsync(Scheme, new AuthenticationProperties { RedirectUri = then });
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or TaskCanceledException && !context.RequestAborted.IsCancellationRequested)
        {
            var reason = $"{oidc.Name} ({oidc.Issuer.OriginalString}) cannot be reached: {Innermost(e)}";
            Log(context).LogWarning("Sign-in with {Provider} refused: {Reason}", oidc.Name, reason);
            await UiRefusal.WriteAsync(context, StatusCodes.Status502BadGateway, "Sign-in is not possible now", reason + ". Tokens still sign in.", ("/login", "Back to sign-in"));
        }
    }

    private static async Task TicketReceivedAsync(TicketReceivedContext context)
    {
        var http = context.HttpContext;
        var oidc = http.RequestServices.GetRequiredService<OnwardConfig>().Auth.Oidc!;
        var (signIn, refusal) = Person(oidc, context.Principal!, "the provider's answer");
        AccessToken? person = null;
        if (signIn is not null)
        {
            var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            (person, refusal) = await http.RequestServices.GetRequiredService<ITokenStore>().SignInPersonAsync(signIn, now, http.RequestAborted);
        }
        var username = TextCut.Within(signIn?.Username ?? context.Principal?.FindFirst("preferred_username")?.Value ?? "", 100);
        context.HandleResponse();
        if (person is null)
        {
            await RefuseAsync(http, oidc, $"{(username.Length > 0 ? username : "this person")}: {refusal}");
            return;
        }
        await UiSession.StartAsync(http, person, oidc.SessionLifetime, SameSiteMode.Lax);
        Log(http).LogInformation("{Name} ({Subject}) signed in with {Provider} as {Role}, groups {Groups}",
            person.Name, person.Subject, oidc.Name, person.Role.ToString().ToLowerInvariant(), string.Join(",", person.Groups));
        // Where the sign-in was asked to lead (the overview, or the CLI's sign-in): a path of this server only.
        var next = context.ReturnUri is { Length: > 1 } asked && asked.StartsWith('/') && !asked.StartsWith("//", StringComparison.Ordinal) && !asked.Contains('\\') ? asked : "/";
        await UiRefusal.WriteAsync(http, StatusCodes.Status200OK, "Signed in", $"Signed in as {person.Name}.", (next, "Go on"), refreshTo: next);
    }

    private static async Task RemoteFailureAsync(RemoteFailureContext context)
    {
        context.HandleResponse();
        var oidc = context.HttpContext.RequestServices.GetRequiredService<OnwardConfig>().Auth.Oidc!;
        await RefuseAsync(context.HttpContext, oidc, Describe(context.Failure, oidc));
    }

    private static async Task RefuseAsync(HttpContext context, OidcOptions oidc, string reason)
    {
        Log(context).LogWarning("Sign-in with {Provider} refused: {Reason}", oidc.Name, reason);
        await UiRefusal.WriteAsync(context, StatusCodes.Status403Forbidden, "Sign-in refused", reason, ("/login", "Back to sign-in"));
    }

    /// <summary>Why the provider's answer (or an access token, <paramref name="what"/>) was not taken, in one line.</summary>
    public static string Describe(Exception? failure, OidcOptions oidc, string what = "the ID token")
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            var said = e switch
            {
                SecurityTokenInvalidIssuerException => $"{what} was not issued by {oidc.Issuer.OriginalString} (wrong issuer)",
                SecurityTokenInvalidAudienceException => $"{what} is not for {(what == "the ID token" ? "this client, " + oidc.ClientId : "Onward's audience, " + oidc.Audience)} (wrong audience)",
                SecurityTokenExpiredException => $"{what} has expired",
                SecurityTokenNotYetValidException => $"{what} is not valid yet (are the clocks apart?)",
                SecurityTokenInvalidSignatureException when e.Message.Contains("alg", StringComparison.OrdinalIgnoreCase) && e.Message.Contains("none", StringComparison.OrdinalIgnoreCase)
                    => $"{what} is not signed with an algorithm Onward takes (RS256, ES256)",
                SecurityTokenInvalidAlgorithmException => $"{what} is not signed with an algorithm Onward takes (RS256, ES256)",
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => $"{what}'s signature does not verify with the provider's keys",
                OpenIdConnectProtocolInvalidNonceException => "the answer's nonce is not this sign-in's (a replayed or forged answer)",
                OpenIdConnectProtocolException { Message: var m } when m.Contains("access_denied", StringComparison.Ordinal) => $"{oidc.Name} did not let this person in ({Innermost(e)})",
                HttpRequestException => $"{oidc.Name} ({oidc.Issuer.OriginalString}) cannot be reached: {e.Message}",
                _ when e.Message.Contains("Correlation failed", StringComparison.Ordinal)
                    => "the answer's state is not this browser's sign-in (an answer to another sign-in, an old tab, or cookies blocked)",
                _ => null,
            };
            if (said is not null)
            {
                return said;
            }
        }
        return failure is null ? "the provider's answer was not taken" : Innermost(failure);
    }

    /// <summary>
    /// The person the provider vouches for with <paramref name="principal"/>'s claims (an ID token's and userinfo's, or an
    /// access token's): who they are (<c>issuer#sub</c>), what they are called, their groups and so their roles; or why
    /// they are refused, in one line. <paramref name="source"/> names what the claims came from, for that line.
    /// </summary>
    public static (PersonSignIn? Person, string? Refusal) Person(OidcOptions oidc, ClaimsPrincipal principal, string source)
    {
        string? Claim(string type) => principal.FindFirst(type)?.Value is { Length: > 0 } value ? TextCut.Within(value, MostText) : null;
        if (principal.FindFirst("sub")?.Value is not { Length: > 0 and <= 255 } sub)
        {
            return (null, $"{source} names no subject (`sub`) of at most 255 characters");
        }
        if (ClaimValues(principal, oidc.GroupsClaim) is not { } groups)
        {
            return (null, $"{source} has no `{oidc.GroupsClaim}` claim, so Onward cannot tell this person's groups; ask the provider's admin to send it"
                + (oidc.Scopes.Contains("groups") ? "" : " (and add its scope to auth.oidc.scopes)") + ", or name the claim that holds them in auth.oidc.groupsClaim");
        }
        var (role, teams, refusal) = PersonRoles.Resolve(oidc, groups);
        if (refusal is not null)
        {
            return (null, refusal);
        }
        var username = (oidc.UsernameClaim is { } configured ? Claim(configured) : null) ?? Claim("preferred_username") ?? Claim("email") ?? sub;
        return (new PersonSignIn($"{Claim("iss") ?? oidc.Issuer.OriginalString}#{sub}", username, Claim("email"), role, groups, teams), null);
    }

    /// <summary>
    /// The values of a claim (<c>groups</c>), or of a member inside one (<c>realm_access.roles</c>): each claim of that
    /// type, or the items of a JSON array it holds; null when the person's claims have no such claim at all.
    /// </summary>
    public static IReadOnlyList<string>? ClaimValues(ClaimsPrincipal principal, string path)
    {
        var parts = path.Split('.');
        var claims = principal.FindAll(parts[0]).ToList();
        if (claims.Count == 0)
        {
            return null;
        }
        var values = new List<string>();
        foreach (var claim in claims)
        {
            if (parts.Length == 1 && !claim.Value.StartsWith('['))
            {
                values.Add(claim.Value);
                continue;
            }
            JsonElement element;
            try
            {
                element = JsonDocument.Parse(claim.Value).RootElement;
            }
            catch (JsonException)
            {
                return parts.Length == 1 ? [claim.Value] : null;
            }
            foreach (var part in parts.Skip(1))
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element))
                {
                    return null;
                }
            }
            if (element.ValueKind == JsonValueKind.Array)
            {
                values.AddRange(element.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!));
            }
            else if (element.ValueKind == JsonValueKind.String)
            {
                values.Add(element.GetString()!);
            }
        }
        // Groups are kept joined by commas: a group whose name holds one could pass for others, and is left out.
        return values.Where(v => v.Length is > 0 and <= MostText && !v.Contains(',', StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).Take(MostGroups).ToList();
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return TextCut.Within(e.Message.Split('\n')[0], 300);
    }

    /// <summary>
    /// The default scheme, which finds no one: requests are authenticated by Onward's own middleware (sessions, tokens),
    /// and ASP.NET Core's authentication only takes the provider's answers at /signin-oidc.
    /// </summary>
    private sealed class NoScheme(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, System.Text.Encodings.Web.UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Name = "onward";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());
    }

    private static ILogger Log(HttpContext context) => context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OidcSignIn));
}
