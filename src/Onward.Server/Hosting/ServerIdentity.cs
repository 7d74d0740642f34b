using System.Security.Cryptography;
using System.Text;
using Onward.Core.Configuration;

namespace Onward.Server.Hosting;

/// <summary>
/// Who this server is, the same across restarts on one host: the host name, the listen address and the data
/// directory. Job leases carry it, so that a server started again after a crash knows which leases were its own and
/// takes them back at once instead of waiting for them to run out. A lock file makes sure that no two live processes
/// ever share one identity.
/// </summary>
public sealed class ServerIdentity : IDisposable
{
    private readonly FileStream _lock;

    private ServerIdentity(string name, FileStream held)
    {
        Name = name;
        _lock = held;
    }

    public string Name { get; }

    /// <exception cref="ServerStartException">Another live process already is this server.</exception>
    public static ServerIdentity Claim(ServerOptions server)
    {
        var name = NameOf(server);
        var directory = Path.Combine(server.DataDir, "servers");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name.Replace(':', '-'));
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) that the kernel drops when the process dies.
            var held = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(path + ".pid", $"{Environment.ProcessId}\n");
            return new ServerIdentity(name, held);
        }
        catch (IOException)
        {
            var pid = File.Exists(path + ".pid") ? File.ReadAllText(path + ".pid").Trim() : "?";
            throw new ServerStartException($"another onward serve (pid {pid}) already serves {server.Listen} with the data directory {server.DataDir}");
        }
    }

    /// <summary>The identity of a server with these options on this host.</summary>
    public static string NameOf(ServerOptions server)
    {
        var key = $"{server.Listen.Authority}|{server.DataDir}";
        return $"{Environment.MachineName}:{server.Listen.Port}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12]}";
    }

    public void Dispose() => _lock.Dispose();
}
