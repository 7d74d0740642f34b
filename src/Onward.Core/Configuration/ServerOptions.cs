using System.Net;

namespace Onward.Core.Configuration;

/// <summary>Where the server listens and keeps its state. Relative paths are resolved against the config file's folder.</summary>
public sealed record ServerOptions(Uri Listen, string Database, string DataDir, int Workers)
{
    /// <summary>How many builds run at once; more wait in the queue.</summary>
    public int Builds { get; init; } = 2;

    /// <summary>Where people reach this server (behind a load balancer, say), for the links in notifications; the listen URL when not set.</summary>
    public Uri? PublicUrl { get; init; }

    /// <summary>The base of links to this server's pages.</summary>
    public Uri LinkBase => PublicUrl ?? Listen;

    /// <summary><c>server.tls</c>: the certificate and key (PEM files) an <c>https://</c> listen address serves.</summary>
    public TlsOptions? Tls { get; init; }

    /// <summary>
    /// <c>server.trustedProxies</c>: addresses and ranges whose <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c> are
    /// believed; from anyone else they are ignored.
    /// </summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init; } = [];

    /// <summary>Whether people reach this server over https (directly or through a proxy): cookies are Secure then.</summary>
    public bool Https => Listen.Scheme == "https" || PublicUrl?.Scheme == "https";

    public bool ListensOnLoopback =>
        Listen.IsLoopback || Listen.Host is "127.0.0.1" or "localhost" or "[::1]";
}
