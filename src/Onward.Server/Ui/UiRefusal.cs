using System.Net;

namespace Onward.Server.Ui;

/// <summary>
/// A short HTML page for a request the UI refuses (a form from another site, a form without its anti-forgery token):
/// a person's browser shows it, with the status, what happened and where to go on; scripts get the status.
/// </summary>
public static class UiRefusal
{
    public static Task WriteAsync(HttpContext context, int status, string title, string sentence) => WriteAsync(context, status, title, sentence, ("/", "Go to the overview"));

    /// <param name="onward">Where the page's link leads, and its words.</param>
    /// <param name="refreshTo">Where the page sends the browser on at once (a sign-in's end); its cookies stay, as the page's own are set before it.</param>
    public static async Task WriteAsync(HttpContext context, int status, string title, string sentence, (string Href, string Text) onward, string? refreshTo = null)
    {
        if (refreshTo is null)
        {
            context.Response.Clear();
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        context.Response.Headers.CacheControl = "no-store";
        var (t, s) = (WebUtility.HtmlEncode(title), WebUtility.HtmlEncode(sentence));
        await context.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8">{(refreshTo is null ? "" : $"<meta http-equiv=\"refresh\" content=\"0;url={WebUtility.HtmlEncode(refreshTo)}\">")}<title>{t} · Onward</title><link rel="stylesheet" href="/ui/assets/app.css"></head>
            <body><main><h1>{t}</h1><p>{s}</p><p><a href="{WebUtility.HtmlEncode(onward.Href)}">{WebUtility.HtmlEncode(onward.Text)}</a></p><p class="muted">{status} {WebUtility.HtmlEncode(ReasonOf(status))}</p></main></body>
            </html>
            """, context.RequestAborted);
    }

    private static string ReasonOf(int status) => status switch
    {
        400 => "Bad Request",
        200 => "OK",
        403 => "Forbidden",
        502 => "Bad Gateway",
        _ => "",
    };
}
