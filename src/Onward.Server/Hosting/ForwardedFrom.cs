using Microsoft.AspNetCore.HttpOverrides;
using Onward.Core.Configuration;

namespace Onward.Server.Hosting;

/// <summary>
/// <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c> believed only from <c>server.trustedProxies</c> (from anyone else
/// a client could claim any address or scheme), so that behind a TLS proxy the request is https, links and redirects
/// say so, and logs name the client.
/// </summary>
public static class ForwardedFrom
{
    public static ForwardedHeadersOptions Proxies(ServerOptions server)
    {
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
            // Every hop that is one of ours is taken off, up to the first that is not.
            ForwardLimit = null,
        };
        // The defaults trust loopback; only the configured proxies are.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var network in server.TrustedProxies)
        {
            options.KnownIPNetworks.Add(network);
        }
        if (server.PublicUrl is { } publicUrl)
        {
            options.AllowedHosts = [publicUrl.Authority];
        }
        return options;
    }
}
