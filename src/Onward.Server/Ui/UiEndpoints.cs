using Onward.Server.Auth;
using Onward.Server.Configuration;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Onward.Core.Builds;
using Onward.Core.Releases;
using Onward.Server.Ui.Components;
using Onward.Storage.Ui;

namespace Onward.Server.Ui;

public static class UiEndpoints
{
    private static readonly TimeSpan Look = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static void MapOnwardUi(this WebApplication app)
    {
        app.MapGet("/ui/assets/app.css", () => Results.Text(UiAssets.Css, "text/css; charset=utf-8"));
        app.MapGet("/ui/assets/app.js", () => Results.Text(UiAssets.Script, "text/javascript; charset=utf-8"));
        app.MapGet("/ui/assets/icon.svg", () => Results.Text(UiAssets.Icon, "image/svg+xml"));
        app.MapGet("/favicon.ico", () => Results.Redirect("/ui/assets/icon.svg", permanent: true));
        app.MapGet("/login/oidc", (HttpContext http) => OidcSignIn.StartAsync(http));
        app.MapGet("/login/cli", (HttpContext http, int? port, string? state) => CliSignIn.StartAsync(http, port, state));
        app.MapGet("/login/cli/done", CliSignIn.ConfirmAsync);
        app.MapPost("/login/cli/done", CliSignIn.DoneAsync).DisableAntiforgery();
        app.MapGet("/ui/events", EventsAsync);
        app.MapGet("/ui/releases/{id:long}/log", LogAsync);
        app.MapPost("/logout", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                await UiRefusal.WriteAsync(http, StatusCodes.Status400BadRequest, "Not signed out",
                    "The sign-out was not sent from a page of your current session. Reload the page and use Sign out there.");
                return;
            }
            await UiSession.SignOutAsync(http);
            http.Response.Redirect("/login");
        }).DisableAntiforgery();
        app.MapRazorComponents<App>();
    }

    /// <summary>
    /// Server-sent events: a release's build log as it is written (each message a JSON string to append, the first one
    /// the log so far), then an <c>end</c> event once the build has ended.
    /// </summary>
    private static async Task LogAsync(long id, HttpContext http, IReleaseStore releases, IBuilder builder, SessionWatch session)
    {
        var cancellationToken = http.RequestAborted;
        if (await releases.GetAsync(id, cancellationToken) is null)
        {
            http.Response.StatusCode = 404;
            return;
        }
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        var sent = 0;
        var quiet = TimeSpan.Zero;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var release = await releases.GetAsync(id, cancellationToken);
                var log = release is null ? null : await builder.ReadLogAsync(release, cancellationToken) ?? "";
                if (log is not null && log.Length > sent)
                {
                    var from = sent == 0 ? Math.Max(0, log.Length - Components.Pages.ReleasePage.ShownLog) : sent;
                    sent = log.Length;
                    quiet = TimeSpan.Zero;
                    await http.Response.WriteAsync($"data: {JsonSerializer.Serialize(log[from..])}\n\n", cancellationToken);
                }
                if (release is not { State: ReleaseState.Building })
                {
                    await http.Response.WriteAsync("event: end\ndata: ended\n\n", cancellationToken);
                    await http.Response.Body.FlushAsync(cancellationToken);
                    return;
                }
                if (quiet >= KeepAlive)
                {
                    quiet = TimeSpan.Zero;
                    await http.Response.WriteAsync(": still here\n\n", cancellationToken);
                }
                await http.Response.Body.FlushAsync(cancellationToken);
                if (!await session.LastsAsync(http, cancellationToken))
                {
                    return;
                }
                await Task.Delay(Look, cancellationToken);
                quiet += Look;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Server-sent events: a message whenever anything the pages show has changed (looked at every 400 ms while someone watches).</summary>
    private static async Task EventsAsync(HttpContext http, ChangeFingerprint fingerprint, ConfigStatus status, SessionWatch session)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        await http.Response.WriteAsync("retry: 2000\n\n", http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
        var last = (await fingerprint.ReadAsync(http.RequestAborted), status.Generation);
        var quiet = TimeSpan.Zero;
        try
        {
            while (!http.RequestAborted.IsCancellationRequested)
            {
                await Task.Delay(Look, http.RequestAborted);
                if (!await session.LastsAsync(http, http.RequestAborted))
                {
                    return;
                }
                // A reload of onward.yaml (applied or refused) changes what the pages show too.
                var now = (await fingerprint.ReadAsync(http.RequestAborted), status.Generation);
                quiet += Look;
                if (now != last)
                {
                    last = now;
                    quiet = TimeSpan.Zero;
                    await http.Response.WriteAsync("data: changed\n\n", http.RequestAborted);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                }
                else if (quiet >= KeepAlive)
                {
                    quiet = TimeSpan.Zero;
                    await http.Response.WriteAsync(": still here\n\n", http.RequestAborted);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
