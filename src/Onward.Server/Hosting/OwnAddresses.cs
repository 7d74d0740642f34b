using Onward.Core.Configuration;

namespace Onward.Server.Hosting;

/// <summary>
/// The addresses this server is known by: its listen address, its public one, and, when it listens on loopback or on
/// every address, the loopback names with its port.
/// </summary>
public static class OwnAddresses
{
    public static IEnumerable<Uri> Of(ServerOptions server)
    {
        yield return server.Listen;
        if (server.PublicUrl is { } publicUrl)
        {
            yield return publicUrl;
        }
        if (server.ListensOnLoopback || server.Listen.Host is "0.0.0.0" or "[::]" or "*" or "+")
        {
            foreach (var host in new[] { "localhost", "127.0.0.1", "[::1]" })
            {
                yield return new Uri($"{server.Listen.Scheme}://{host}:{server.Listen.Port}/");
            }
        }
    }

    /// <summary>Whether <paramref name="host"/> (a Host header's value) names this server; the name is what matters, with or without a port.</summary>
    public static bool Names(ServerOptions server, HostString host) =>
        host.HasValue && Of(server).Any(o => string.Equals(o.IdnHost, host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)
            || string.Equals(o.Host, host.Host, StringComparison.OrdinalIgnoreCase));
}
