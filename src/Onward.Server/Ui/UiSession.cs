using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Messages;
using Onward.Core.Pipeline;
using Onward.Server.Auth;

namespace Onward.Server.Ui;

/// <summary>
/// The web UI's sign-in. With <c>auth.mode: tokens</c> a person signs in with a token at <c>/login</c>; the server keeps
/// the session (<see cref="ISessionStore"/>) and the browser an HttpOnly, SameSite=Strict cookie (Secure whenever the
/// server is reached over https) holding only the session's own random secret, for at most <see cref="Lifetime"/>.
/// Signing out ends the session on the server, as does revoking its token; every page and event stream looks it up
/// again. The person is the request's user for anti-forgery, so that a form's token works with its own session only.
/// With <c>auth.mode: none</c> (loopback only) the UI acts as the anonymous admin, as the API does.
/// </summary>
public sealed class UiSession(RequestDelegate next, OnwardConfig config, ISessionStore sessions, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);
    private const string Plain = "onward_session";
    // A Secure cookie's name says so (RFC 6265bis): a browser takes it only over https, for this host and every path.
    private const string Prefixed = "__Host-onward_session";
    private static readonly Identity Anonymous = new(Actors.Anonymous, Role.Admin, []);
    private static readonly object SessionKey = new();

    /// <summary>The cookie's name on this server: <c>__Host-onward_session</c> over https, <c>onward_session</c> otherwise.</summary>
    public static string Cookie(OnwardConfig config) => config.Server.Https ? Prefixed : Plain;

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        // An address that is no page stays a 404 for everyone rather than a redirect to the sign-in.
        if (!IsUi(path) || context.GetEndpoint() is null)
        {
            await next(context);
            return;
        }
        context.Response.Headers.ContentSecurityPolicy =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers["Referrer-Policy"] = "same-origin";
        if (config.Auth.Mode == AuthMode.None)
        {
            CallerIdentity.Attach(context, Anonymous);
        }
        else if (await FindAsync(context) is { } found)
        {
            CallerIdentity.Attach(context, found.Token.Identity);
            context.Items[SessionKey] = found.Session.Id;
            context.User = new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim(ClaimTypes.NameIdentifier, $"session:{found.Session.Id}"), new Claim(ClaimTypes.Name, found.Session.Name)], "onward-session"));
            await sessions.TouchAsync(found.Session.Id, time.GetUtcNow(), context.RequestAborted);
        }
        else if (path.StartsWithSegments("/ui") && !path.StartsWithSegments("/ui/assets") && !path.StartsWithSegments("/favicon.ico"))
        {
            // Event streams are read by scripts, not people: they are told to sign in rather than sent to a page.
            context.Response.StatusCode = 401;
            return;
        }
        else if (!path.StartsWithSegments("/login") && !path.StartsWithSegments("/ui/assets") && !path.StartsWithSegments("/favicon.ico"))
        {
            context.Response.Redirect("/login");
            return;
        }
        await next(context);
    }

    /// <summary>Starts a session for <paramref name="secret"/>; null when the token is unknown, revoked, expired or an SDK key.</summary>
    public static async Task<Identity?> SignInAsync(HttpContext context, string secret)
    {
        var services = context.RequestServices;
        var config = services.GetRequiredService<OnwardConfig>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        // An SDK key evaluates one environment's flags and nothing else: it opens no session.
        if (await services.GetRequiredService<ITokenStore>().FindActiveAsync(TokenSecrets.Hash(secret), now, context.RequestAborted) is not { } token
            || token.Identity.Role == Role.Sdk)
        {
            return null;
        }
        await StartAsync(context, token, Lifetime);
        return token.Identity;
    }

    /// <summary>Starts a session for <paramref name="token"/> (a token's, or a person's who signed in with the provider) lasting at most <paramref name="lifetime"/>.</summary>
    /// <param name="sameSite">
    /// Strict for a sign-in on Onward's own page; Lax for one that comes back from the provider, whose answer is a
    /// cross-site navigation after which a browser would not send a Strict cookie (forms still need their anti-forgery
    /// token and an Origin of Onward's own).
    /// </param>
    public static async Task StartAsync(HttpContext context, AccessToken token, TimeSpan lifetime, SameSiteMode sameSite = SameSiteMode.Strict)
    {
        var services = context.RequestServices;
        var config = services.GetRequiredService<OnwardConfig>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        if (SessionOf(context) is { } previous)
        {
            // Signing in again in the same browser replaces its session: the old one does not linger as active.
            await services.GetRequiredService<ISessionStore>().EndAsync(previous, SessionEndings.SignedInAgain, token.Name, now, context.RequestAborted);
        }
        var expires = now + lifetime;
        if (token.ExpiresAt is { } tokenExpires && tokenExpires < expires)
        {
            expires = tokenExpires;
        }
        var sessionSecret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var address = context.Connection.RemoteIpAddress?.ToString();
        var agent = context.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? TextCut.Within(ua, 200) : null;
        await services.GetRequiredService<ISessionStore>().StartAsync(token.Id, token.Name, TokenSecrets.Hash(sessionSecret), now, expires, address, agent,
            context.RequestAborted);
        context.Response.Cookies.Append(Cookie(config), sessionSecret, new CookieOptions
        {
            HttpOnly = true,
            SameSite = sameSite,
            Secure = config.Server.Https || context.Request.IsHttps,
            Expires = expires,
            Path = "/",
        });
    }

    /// <summary>Ends the request's session on the server and removes its cookie.</summary>
    public static async Task SignOutAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var config = services.GetRequiredService<OnwardConfig>();
        if (SessionOf(context) is { } id)
        {
            var identity = CallerIdentity.Find(context);
            await services.GetRequiredService<ISessionStore>().EndAsync(id, SessionEndings.SignedOut, identity?.Name ?? Actors.Anonymous,
                services.GetRequiredService<TimeProvider>().GetUtcNow(), CancellationToken.None);
        }
        context.Response.Cookies.Delete(Cookie(config), new CookieOptions { Path = "/", Secure = config.Server.Https || context.Request.IsHttps });
    }

    /// <summary>The id of the session the request came with, if it has one.</summary>
    public static long? SessionOf(HttpContext context) => context.Items.TryGetValue(SessionKey, out var id) ? (long)id! : null;

    private async Task<(UiSessionRecord Session, AccessToken Token)?> FindAsync(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(Cookie(config), out var value) || value.Length is 0 or > 128)
        {
            return null;
        }
        var found = await sessions.FindActiveAsync(TokenSecrets.Hash(value), time.GetUtcNow(), context.RequestAborted);
        return found is { Token.Identity.Role: not Role.Sdk } ? found : null;
    }

    /// <summary>Everything but the API, OFREP, webhooks and health is the UI.</summary>
    public static bool IsUi(PathString path) =>
        !path.StartsWithSegments("/api") && !path.StartsWithSegments("/hooks") && !path.StartsWithSegments("/healthz") && !path.StartsWithSegments("/flags")
        && !path.StartsWithSegments("/metrics");
}
