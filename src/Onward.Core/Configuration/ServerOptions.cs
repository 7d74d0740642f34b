namespace Onward.Core.Configuration;

/// <summary>Where the server listens and keeps its state. Relative paths are resolved against the config file's folder.</summary>
public sealed record ServerOptions(Uri Listen, string Database, string DataDir, int Workers)
{
    /// <summary>How many builds run at once; more wait in the queue.</summary>
    public int Builds { get; init; } = 2;

    public bool ListensOnLoopback =>
        Listen.IsLoopback || Listen.Host is "127.0.0.1" or "localhost" or "[::1]";
}
