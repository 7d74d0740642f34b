using Onward.Core.Configuration;

namespace Onward.Server.Hosting;

/// <summary>
/// A request for <c>server.publicUrl</c>'s host that reached Onward over plain http came through the TLS proxy that
/// publicUrl names: it counts as https, so that redirects and links keep to https even where the proxy sends no
/// <c>X-Forwarded-Proto</c> Onward may believe.
/// </summary>
public sealed class PublicAddress(RequestDelegate next, OnwardConfig config)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (config.Server.PublicUrl is { Scheme: "https" } publicUrl && !context.Request.IsHttps
            && string.Equals(context.Request.Host.Value, publicUrl.Authority, StringComparison.OrdinalIgnoreCase))
        {
            context.Request.Scheme = "https";
        }
        return next(context);
    }
}
