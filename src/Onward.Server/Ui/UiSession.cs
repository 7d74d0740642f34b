using System.Globalization;
using Microsoft.AspNetCore.DataProtection;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Pipeline;
using Onward.Server.Auth;

namespace Onward.Server.Ui;

/// <summary>
/// The web UI's sign-in. With <c>auth.mode: tokens</c> a person signs in with a token at <c>/login</c>; the session is an
/// HttpOnly, SameSite=Strict cookie (Secure on https) holding the token's hash, encrypted and signed by ASP.NET Core
/// data protection, valid for <see cref="Lifetime"/>. Every page looks the token up again, so a revoked or expired
/// token ends its sessions at once. The token itself never appears in a URL or a cookie. With <c>auth.mode: none</c>
/// (loopback only) the UI acts as the anonymous admin, as the API does.
/// </summary>
public sealed class UiSession(RequestDelegate next, OnwardConfig config, ITokenStore tokens, IDataProtectionProvider protection, TimeProvider time)
{
    public const string Cookie = "onward_session";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);
    private static readonly Identity Anonymous = new(Actors.Anonymous, Role.Admin, []);
    private const string Purpose = "Onward.Ui.Session";
    private readonly IDataProtector _protector = protection.CreateProtector(Purpose);

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
        else if (await FindAsync(context) is { } identity)
        {
            CallerIdentity.Attach(context, identity);
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
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var hash = TokenSecrets.Hash(secret);
        // An SDK key evaluates one environment's flags and nothing else: it opens no session.
        if (await services.GetRequiredService<ITokenStore>().FindActiveAsync(hash, now, context.RequestAborted) is not { } token || token.Identity.Role == Role.Sdk)
        {
            return null;
        }
        var expires = now + Lifetime;
        var protector = services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);
        context.Response.Cookies.Append(Cookie, protector.Protect($"{hash}|{expires.ToUnixTimeSeconds()}"), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Expires = expires,
            Path = "/",
        });
        return token.Identity;
    }

    public static void SignOut(HttpContext context) => context.Response.Cookies.Delete(Cookie, new CookieOptions { Path = "/", Secure = context.Request.IsHttps });

    private async Task<Identity?> FindAsync(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(Cookie, out var value) || value.Length > 2048)
        {
            return null;
        }
        string plain;
        try
        {
            plain = _protector.Unprotect(value);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        var parts = plain.Split('|');
        var now = time.GetUtcNow();
        if (parts.Length != 2 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expires) || DateTimeOffset.FromUnixTimeSeconds(expires) <= now)
        {
            return null;
        }
        return (await tokens.FindActiveAsync(parts[0], now, context.RequestAborted))?.Identity is { Role: not Role.Sdk } identity ? identity : null;
    }

    /// <summary>Everything but the API, OFREP, webhooks and health is the UI.</summary>
    private static bool IsUi(PathString path) =>
        !path.StartsWithSegments("/api") && !path.StartsWithSegments("/hooks") && !path.StartsWithSegments("/healthz") && !path.StartsWithSegments("/flags")
        && !path.StartsWithSegments("/metrics");
}
