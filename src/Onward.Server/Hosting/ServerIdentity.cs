using System.Security.Cryptography;
using System.Text;
using Onward.Core.Configuration;

namespace Onward.Server.Hosting;

/// <summary>
/// Who this server is, the same across restarts on one host: the host name, the listen address and the data
/// directory. Job leases carry it, so that a server started again after a crash knows which leases were its own and
/// takes them back at once instead of waiting for them to run out. A lock file makes sure that no two live processes
/// ever share one identity. On SQLite a server also owns its database and data directory alone: a second server on
/// another address would adopt the same release processes and bind the same stable ports (several replicas are for
/// PostgreSQL, where leases share that work out).
/// </summary>
public sealed class ServerIdentity : IDisposable
{
    private readonly FileStream _lock;
    private readonly FileStream[] _owned;

    private ServerIdentity(string name, FileStream held, FileStream[] owned)
    {
        Name = name;
        _lock = held;
        _owned = owned;
    }

    public string Name { get; }

    /// <exception cref="ServerStartException">Another live process already is this server.</exception>
    public static ServerIdentity Claim(ServerOptions server)
    {
        var name = NameOf(server);
        var directory = Path.Combine(server.DataDir, "servers");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name.Replace(':', '-'));
        FileStream held;
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) that the kernel drops when the process dies.
            held = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(path + ".pid", $"{Environment.ProcessId}\n");
        }
        catch (IOException)
        {
            var pid = File.Exists(path + ".pid") ? File.ReadAllText(path + ".pid").Trim() : "?";
            throw new ServerStartException($"another onward serve (pid {pid}) already serves {server.Listen} with the data directory {server.DataDir}");
        }
        var owned = new List<FileStream>();
        try
        {
            if (server.Database.StartsWith("sqlite:", StringComparison.Ordinal))
            {
                var database = server.Database["sqlite:".Length..];
                owned.Add(Own(Path.Combine(server.DataDir, "serve"), server, $"the data directory {server.DataDir}"));
                owned.Add(Own(database + ".serve", server, $"the database {database}"));
            }
        }
        catch
        {
            owned.ForEach(o => o.Dispose());
            held.Dispose();
            throw;
        }
        return new ServerIdentity(name, held, [.. owned]);
    }

    /// <summary>Takes <paramref name="path"/>.lock for good and writes who holds it beside it, or says who does.</summary>
    private static FileStream Own(string path, ServerOptions server, string what)
    {
        try
        {
            var held = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(path + ".owner", $"{Environment.ProcessId} {server.Listen}\n");
            return held;
        }
        catch (IOException)
        {
            var owner = File.Exists(path + ".owner") ? File.ReadAllText(path + ".owner").Trim().Split(' ', 2) : [];
            var (pid, address) = owner.Length == 2 ? (owner[0], owner[1]) : ("?", "an unknown address");
            throw new ServerStartException(
                $"another onward serve (pid {pid}, listening on {address}) already owns {what}; with SQLite one server runs per database (stop that one first, or use PostgreSQL for several replicas)");
        }
    }

    /// <summary>The identity of a server with these options on this host.</summary>
    public static string NameOf(ServerOptions server)
    {
        var key = $"{server.Listen.Authority}|{server.DataDir}";
        return $"{Environment.MachineName}:{server.Listen.Port}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12]}";
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
        _lock.Dispose();
    }
}
