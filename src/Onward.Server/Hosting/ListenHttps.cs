using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Onward.Server.Hosting;

/// <summary>An https listen address bound as Kestrel binds the same URL given to <c>UseUrls</c>: localhost on loopback, an IP on itself, any other name on every address.</summary>
public static class ListenHttps
{
    public static void On(KestrelServerOptions kestrel, Uri listen, TlsHandshakeCallbackOptions tls)
    {
        var port = listen.Port;
        void Https(ListenOptions options) => options.UseHttps(tls);
        switch (listen.Host)
        {
            case "localhost":
                kestrel.ListenLocalhost(port, Https);
                break;
            case var host when IPAddress.TryParse(host.Trim('[', ']'), out var address):
                kestrel.Listen(address, port, Https);
                break;
            default:
                kestrel.ListenAnyIP(port, Https);
                break;
        }
    }
}
