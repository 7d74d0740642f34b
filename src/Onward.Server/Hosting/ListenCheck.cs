using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Onward.Core.Messages;

namespace Onward.Server.Hosting;

/// <summary>
/// Whether the server can listen on its address, asked before it touches the database or any release process, so that
/// a second server on a taken port leaves everything as it was and says in one line what holds the address.
/// </summary>
public static class ListenCheck
{
    private static readonly string[] SocketTables = ["/proc/net/tcp", "/proc/net/tcp6"];

    /// <returns>Why the address cannot be listened on, or null when it can.</returns>
    public static string? Problem(Uri listen)
    {
        if (listen.Port == 0)
        {
            return null;
        }
        var address = listen.Host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "+" or "0.0.0.0" => IPAddress.Any,
            var host when IPAddress.TryParse(host.Trim('[', ']'), out var ip) => ip,
            _ => IPAddress.Any,
        };
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // As Kestrel binds on Linux, so that a port in TIME_WAIT does not count as taken.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(address, listen.Port));
            socket.Listen(1);
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return $"cannot listen on {listen}: the address is in use{HolderOf(listen.Port)}; stop that program or listen elsewhere (server.listen, or --listen)";
        }
        catch (SocketException e)
        {
            return $"cannot listen on {listen}: {e.Message} ({e.SocketErrorCode})";
        }
    }

    /// <summary>
    /// The process listening on a TCP port, from the kernel's socket tables (proc(5): /proc/net/tcp, /proc/net/tcp6)
    /// and each process's open file descriptors; empty when it cannot be seen (another user's process, not Linux).
    /// </summary>
    private static string HolderOf(int port)
    {
        try
        {
            var inodes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var table in SocketTables.Where(File.Exists))
            {
                foreach (var line in File.ReadLines(table).Skip(1))
                {
                    var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; the inode is the tenth field.
                    if (fields.Length > 9 && fields[3] == "0A" && int.Parse(fields[1].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                    {
                        inodes.Add($"socket:[{fields[9]}]");
                    }
                }
            }
            foreach (var process in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
            {
                try
                {
                    foreach (var fd in Directory.EnumerateFiles(Path.Combine(process, "fd")))
                    {
                        if (new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target))
                        {
                            var command = File.ReadAllText(Path.Combine(process, "cmdline")).Replace('\0', ' ').Trim();
                            return $" by pid {Path.GetFileName(process)} ({TextCut.After(command, 160)})";
                        }
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }
        return "";
    }
}
