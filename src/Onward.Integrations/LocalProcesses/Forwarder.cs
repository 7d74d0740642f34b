using Onward.Core;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Onward.Integrations.LocalProcesses;

/// <summary>
/// <c>onward forward</c>: the process that serves an environment's stable ports. It runs detached, like the release
/// processes, so that stopping, restarting or upgrading the server takes no application offline. It relays each
/// stable port to the release its <c>routes</c> file names (a change counts from the next connection; open ones
/// finish where they began) and writes what it did to <c>applied</c>. A port in HTTP mode (a service with a canary)
/// relays requests instead, split by weight between the running release and the canary
/// (<see cref="HttpPortForwarder"/>); a route that stops sending requests to a port is in force, and written to
/// <c>applied</c>, once the requests on their way there have finished. It stops on SIGTERM.
/// </summary>
public static class Forwarder
{
    /// <summary>How often the routes file is read besides when the file system says it changed.</summary>
    private static readonly TimeSpan LookAnyway = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The longest wait for requests on their way to a port no longer routed to: shorter than the server waits for a
    /// change to be taken on, so that a long request (a download, a stream) delays a switch but never fails it.
    /// </summary>
    private static readonly TimeSpan DrainAtMost = TimeSpan.FromSeconds(10);

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
        var http = new Dictionary<string, HttpPortForwarder>(StringComparer.Ordinal);
        var traffic = new ForwarderTraffic();
        long applied = -1;
        log.WriteLine($"onward forward: serving the stable ports of {directory} (pid {Environment.ProcessId})");
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                if (ForwarderRoutes.Read(Path.Combine(directory, ForwarderRoutes.RoutesFile)) is { } routes && routes.Generation != applied)
                {
                    var errors = await ApplyAsync(routes, open, http, traffic, log, directory);
                    new ForwarderRoutes(routes.Generation, routes.Routes, errors, OnwardVersion.Current).Write(Path.Combine(directory, ForwarderRoutes.AppliedFile));
                    applied = routes.Generation;
                }
                traffic.WriteIfChanged(Path.Combine(directory, ForwarderTraffic.File));
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
            foreach (var forwarder in http.Values)
            {
                await forwarder.DisposeAsync();
            }
            log.WriteLine("onward forward: stopped");
        }
        return 0;
    }

    private static async Task<Dictionary<string, string>> ApplyAsync(
        ForwarderRoutes routes, Dictionary<string, PortForwarder> open, Dictionary<string, HttpPortForwarder> http, ForwarderTraffic traffic, TextWriter log, string directory)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var gone in open.Keys.Where(service => routes.Find(service) is not { Http: false }).ToList())
        {
            await open[gone].DisposeAsync();
            open.Remove(gone);
            log.WriteLine($"onward forward: {gone}: closed");
        }
        foreach (var gone in http.Keys.Where(service => routes.Find(service) is not { Http: true }).ToList())
        {
            await http[gone].DisposeAsync();
            http.Remove(gone);
            log.WriteLine($"onward forward: {gone}: closed (HTTP)");
        }
        foreach (var route in routes.Routes)
        {
            var who = $"{route.Service} in {Path.GetFileName(directory)}";
            if (route.Http)
            {
                await ApplyHttpAsync(route, http, traffic, errors, who, log);
                continue;
            }
            if (open.TryGetValue(route.Service, out var existing) && existing.Port != route.Stable)
            {
                await existing.DisposeAsync();
                open.Remove(route.Service);
            }
            if (!open.TryGetValue(route.Service, out var forwarder))
            {
                try
                {
                    forwarder = new PortForwarder(route.Stable) { Who = who };
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

    private static async Task ApplyHttpAsync(
        ForwarderRoute route, Dictionary<string, HttpPortForwarder> http, ForwarderTraffic traffic, Dictionary<string, string> errors, string who, TextWriter log)
    {
        if (http.TryGetValue(route.Service, out var existing) && existing.Port != route.Stable)
        {
            await existing.DisposeAsync();
            http.Remove(route.Service);
        }
        if (!http.TryGetValue(route.Service, out var forwarder))
        {
            try
            {
                http[route.Service] = await HttpPortForwarder.StartAsync(route, traffic, who);
                log.WriteLine($"onward forward: {route.Service}: port {route.Stable} relays HTTP requests to {Describe(route)}");
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or SocketException)
            {
                var reason = (e.InnerException ?? e) is SocketException { SocketErrorCode: var code } ? code.ToString() : "AddressAlreadyInUse";
                errors[route.Service] = reason;
                log.WriteLine($"onward forward: {route.Service}: port {route.Stable} cannot be opened ({e.Message})");
            }
            return;
        }
        var before = forwarder.Route;
        if (before == route)
        {
            return;
        }
        forwarder.Route = route;
        log.WriteLine($"onward forward: {route.Service}: port {route.Stable} relays HTTP requests to {Describe(route)}");
        var kept = route.Backends.ToHashSet();
        if (before.Backends.Any(port => !kept.Contains(port)))
        {
            // In force once nothing is on its way to a port left behind: the server stops that release next.
            await forwarder.DrainAsync(kept, DrainAtMost);
        }
    }

    private static string Describe(ForwarderRoute route) =>
        route.Canary > 0 && route.Weight > 0
            ? $"port {route.Backend} ({route.Version}, {100 - route.Weight}%) and port {route.Canary} ({route.CanaryVersion}, {route.Weight}%)"
            : $"port {route.Backend} ({route.Version})";
}
