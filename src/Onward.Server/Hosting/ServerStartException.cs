namespace Onward.Server.Hosting;

/// <summary>The server cannot start, for a reason said in one line (an address in use, another server in its place).</summary>
public sealed class ServerStartException(string message) : Exception(message);
