using Onward.Core;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Onward.Integrations.LocalProcesses;

/// <summary>
/// <c>onward forward</c>: the process that serves an environment's stable ports. It runs detached, like the release
/// processes, so that stopping, restarting or upgrading the server takes no application offline. It relays each
/// stable port to the release its <c>routes</c> file names (a change counts from the next connection; open ones
/// finish where they began) and writes what it did to <c>applied</c>. It stops on SIGTERM.
/// </summary>
public static class Forwarder
{
    /// <summary>How often the routes file is read besides when the file system says it changed.</summary>
    private static readonly TimeSpan LookAnyway = TimeSpan.FromMilliseconds(250);

    public static async Task<int> RunAsync(string directory, TextWriter log, CancellationToken cancellationToken)
    {
        directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(directory);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopping.Cancel();
        });
        using var changed = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(directory, ForwarderRoutes.RoutesFile);
        watcher.Created += (_, _) => changed.Release();
        watcher.Changed += (_, _) => changed.Release();
        watcher.Renamed += (_, _) => changed.Release();
        watcher.EnableRaisingEvents = true;
        var open = new Dictionary<string, PortForwarder>(StringComparer.Ordinal);
        long applied = -1;
        log.WriteLine($"onward forward: serving the stable ports of {directory} (pid {Environment.ProcessId})");
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                if (ForwarderRoutes.Read(Path.Combine(directory, ForwarderRoutes.RoutesFile)) is { } routes && routes.Generation != applied)
                {
                    var errors = await ApplyAsync(routes, open, log, directory);
                    new ForwarderRoutes(routes.Generation, routes.Routes, errors, OnwardVersion.Current).Write(Path.Combine(directory, ForwarderRoutes.AppliedFile));
                    applied = routes.Generation;
                }
                try
                {
                    await changed.WaitAsync(LookAnyway, stopping.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
        finally
        {
            foreach (var forwarder in open.Values)
            {
                await forwarder.DisposeAsync();
            }
            log.WriteLine("onward forward: stopped");
        }
        return 0;
    }

    private static async Task<Dictionary<string, string>> ApplyAsync(ForwarderRoutes routes, Dictionary<string, PortForwarder> open, TextWriter log, string directory)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var gone in open.Keys.Where(service => routes.Find(service) is null).ToList())
        {
            await open[gone].DisposeAsync();
            open.Remove(gone);
            log.WriteLine($"onward forward: {gone}: closed");
        }
        foreach (var route in routes.Routes)
        {
            if (open.TryGetValue(route.Service, out var existing) && existing.Port != route.Stable)
            {
                await existing.DisposeAsync();
                open.Remove(route.Service);
            }
            if (!open.TryGetValue(route.Service, out var forwarder))
            {
                try
                {
                    forwarder = new PortForwarder(route.Stable) { Who = $"{route.Service} in {Path.GetFileName(directory)}" };
                }
                catch (SocketException e)
                {
                    errors[route.Service] = e.SocketErrorCode.ToString();
                    log.WriteLine($"onward forward: {route.Service}: port {route.Stable} cannot be opened ({e.SocketErrorCode})");
                    continue;
                }
                open[route.Service] = forwarder;
            }
            if (forwarder.Backend != route.Backend)
            {
                forwarder.Backend = route.Backend;
                log.WriteLine($"onward forward: {route.Service}: port {route.Stable} relays to port {route.Backend}");
            }
        }
        return errors;
    }
}
