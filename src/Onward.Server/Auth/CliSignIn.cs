using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Messages;
using Onward.Server.Ui;

namespace Onward.Server.Auth;

/// <summary>
/// <c>onward login</c>: the CLI listens on a loopback port and opens <c>/login/cli?port=P&amp;state=S</c> in the browser;
/// the person signs in as on the web (with the provider, or already signed in) and confirms on <c>/login/cli/done</c>
/// that they started it (a form of their session: no other page can make it happen); Onward starts a session of its own for the CLI and hands its secret (<c>ons_…</c>) to <c>http://127.0.0.1:P/callback</c> with the CLI's
/// state. The API takes that secret as a bearer token for as long as the session lasts; it ends with the person's
/// revocation like any session.
/// </summary>
public static partial class CliSignIn
{
    public const string SecretPrefix = "ons_";
    private const string Cookie = "onward_cli_login";
    private const string Purpose = "onward.cli-login";

    /// <summary><c>GET /login/cli</c>: remembers where the CLI waits, then signs the person in (or goes straight on when they are).</summary>
    public static async Task StartAsync(HttpContext context, int? port, string? state)
    {
        if (port is not (>= 1024 and <= 65535) || state is null || !StateRegex().IsMatch(state))
        {
            await UiRefusal.WriteAsync(context, StatusCodes.Status400BadRequest, "Not a sign-in of the CLI",
                "This address is opened by `onward login`, with the port it waits on and its state; run `onward login --server URL` again.", ("/", "Go to the overview"));
            return;
        }
        var protector = context.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);
        context.Response.Cookies.Append(Cookie, protector.Protect($"{port}|{state}"), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            Path = "/login/cli",
            MaxAge = TimeSpan.FromMinutes(10),
        });
        var config = context.RequestServices.GetRequiredService<OnwardConfig>();
        if (UiSession.SessionOf(context) is not null)
        {
            context.Response.Redirect("/login/cli/done");
            return;
        }
        if (config.Auth.Oidc is null)
        {
            await UiRefusal.WriteAsync(context, StatusCodes.Status400BadRequest, "This server signs in with tokens",
                "Nobody signs in with an identity provider here: ask an admin for a token and set ONWARD_TOKEN (or sign in on this page with the token first, then run `onward login` again).",
                ("/login", "Sign in with a token"));
            return;
        }
        await OidcSignIn.StartAsync(context, "/login/cli/done");
    }

    /// <summary>
    /// <c>GET /login/cli/done</c> (signed in): asks the person to confirm, with a form of this session's, that they
    /// started the sign-in; any page could send a signed-in browser here, and the session must go to a CLI they run.
    /// </summary>
    public static async Task ConfirmAsync(HttpContext context)
    {
        if (UiSession.SessionOf(context) is null || CallerIdentity.Find(context) is not { } who)
        {
            context.Response.Redirect("/login");
            return;
        }
        var tokens = context.RequestServices.GetRequiredService<Microsoft.AspNetCore.Antiforgery.IAntiforgery>().GetAndStoreTokens(context);
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var name = System.Net.WebUtility.HtmlEncode(who.Name);
        await context.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Sign in the CLI · Onward</title><link rel="stylesheet" href="/ui/assets/app.css"></head>
            <body><main><h1>Sign in the CLI</h1>
            <p>The command line on this computer asks to act as <strong>{name}</strong>. Go on only if you just ran <code>onward login</code> yourself.</p>
            <form method="post" action="/login/cli/done"><input type="hidden" name="{System.Net.WebUtility.HtmlEncode(tokens.FormFieldName)}" value="{System.Net.WebUtility.HtmlEncode(tokens.RequestToken)}">
            <p><button class="primary" type="submit">Sign in the CLI as {name}</button></p></form>
            <p><a href="/">Not me: go to the overview</a></p></main></body>
            </html>
            """, context.RequestAborted);
    }

    /// <summary><c>POST /login/cli/done</c> (confirmed with this session's form): a session for the CLI, its secret handed to the waiting CLI.</summary>
    public static async Task DoneAsync(HttpContext context)
    {
        try
        {
            await context.RequestServices.GetRequiredService<Microsoft.AspNetCore.Antiforgery.IAntiforgery>().ValidateRequestAsync(context);
        }
        catch (Microsoft.AspNetCore.Antiforgery.AntiforgeryValidationException)
        {
            await UiRefusal.WriteAsync(context, StatusCodes.Status400BadRequest, "This form has expired",
                "The confirmation was not sent from a page of your current session; run `onward login` again.", ("/", "Go to the overview"));
            return;
        }
        var services = context.RequestServices;
        var protector = services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);
        string? waiting = null;
        try
        {
            waiting = context.Request.Cookies.TryGetValue(Cookie, out var value) ? protector.Unprotect(value) : null;
        }
        catch (CryptographicException)
        {
        }
        context.Response.Cookies.Delete(Cookie, new CookieOptions { Path = "/login/cli" });
        if (waiting?.Split('|') is not [var portText, var state] || !int.TryParse(portText, out var port)
            || UiSession.SessionOf(context) is not { } sessionId || CallerIdentity.Find(context) is not { } who)
        {
            await UiRefusal.WriteAsync(context, StatusCodes.Status400BadRequest, "No CLI is waiting",
                "This browser did not start a sign-in of the CLI, or it is older than 10 minutes; run `onward login --server URL` again.", ("/", "Go to the overview"));
            return;
        }
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var sessions = services.GetRequiredService<ISessionStore>();
        var current = (await sessions.ListAsync(null, who.Name, activeOnly: true, now, 100, null, context.RequestAborted)).FirstOrDefault(s => s.Id == sessionId);
        if (current is null)
        {
            context.Response.Redirect("/login");
            return;
        }
        var secret = SecretPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await sessions.StartAsync(current.TokenId, current.Name, TokenSecrets.Hash(secret), now, current.ExpiresAt,
            context.Connection.RemoteIpAddress?.ToString(), "onward CLI", context.RequestAborted);
        Log(context).LogInformation("{Name} signed in the CLI (a session until {Expires:u})", current.Name, current.ExpiresAt);
        // A page that goes on by itself rather than a redirect: a form's answer may not redirect to another origin (form-action 'self').
        var callback = $"http://127.0.0.1:{port}/callback?state={Uri.EscapeDataString(state)}&session={Uri.EscapeDataString(secret)}&name={Uri.EscapeDataString(TextCut.Within(current.Name, 100))}";
        await UiRefusal.WriteAsync(context, StatusCodes.Status200OK, "Signing in the CLI", "Handing the session to the command line…", ("/", "Go to the overview"), refreshTo: callback);
    }

    /// <summary>Whether a bearer secret is a CLI session's rather than a token's.</summary>
    public static bool IsSession(string secret) => secret.StartsWith(SecretPrefix, StringComparison.Ordinal) && secret.Length < 100;

    private static ILogger Log(HttpContext context) => context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CliSignIn));

    [GeneratedRegex("^[A-Za-z0-9_-]{16,128}$")]
    private static partial Regex StateRegex();
}
