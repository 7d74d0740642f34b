using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Onward.Integrations.LocalProcesses;

/// <summary>
/// Hands out free loopback ports for release processes. The kernel's "bind to port 0" answer is only free at that
/// moment: two deployments starting together can be told the same port once the probe socket closes. Ports handed
/// out recently are therefore never handed out again for a while.
/// </summary>
public static class PortAllocator
{
    private static readonly TimeSpan Quarantine = TimeSpan.FromMinutes(10);
    private static readonly ConcurrentDictionary<int, DateTime> Issued = new();

    public static int Next()
    {
        var now = DateTime.UtcNow;
        foreach (var (port, at) in Issued)
        {
            if (now - at > Quarantine)
            {
                Issued.TryRemove(port, out _);
            }
        }
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
            if (Issued.TryAdd(port, now))
            {
                return port;
            }
        }
        throw new InvalidOperationException("no free loopback port could be found");
    }
}
