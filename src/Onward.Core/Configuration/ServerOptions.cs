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

    public bool ListensOnLoopback =>
        Listen.IsLoopback || Listen.Host is "127.0.0.1" or "localhost" or "[::1]";
}
