using Microsoft.AspNetCore.Antiforgery;
using Onward.Server.Ui.Components;
using Onward.Storage.Ui;

namespace Onward.Server.Ui;

public static class UiEndpoints
{
    private static readonly TimeSpan Look = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static void MapUi(this WebApplication app)
    {
        app.MapGet("/ui/assets/app.css", () => Results.Text(UiAssets.Css, "text/css; charset=utf-8"));
        app.MapGet("/ui/assets/app.js", () => Results.Text(UiAssets.Script, "text/javascript; charset=utf-8"));
        app.MapGet("/ui/events", EventsAsync);
        app.MapPost("/logout", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            await antiforgery.ValidateRequestAsync(http);
            UiSession.SignOut(http);
            return Results.Redirect("/login");
        }).DisableAntiforgery();
        app.MapRazorComponents<App>();
    }

    /// <summary>Server-sent events: a message whenever anything the pages show has changed (looked at every 400 ms while someone watches).</summary>
    private static async Task EventsAsync(HttpContext http, ChangeFingerprint fingerprint)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        await http.Response.WriteAsync("retry: 2000\n\n", http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
        var last = await fingerprint.ReadAsync(http.RequestAborted);
        var quiet = TimeSpan.Zero;
        try
        {
            while (!http.RequestAborted.IsCancellationRequested)
            {
                await Task.Delay(Look, http.RequestAborted);
                var now = await fingerprint.ReadAsync(http.RequestAborted);
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
