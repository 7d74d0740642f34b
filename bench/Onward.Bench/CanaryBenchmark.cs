using System.Diagnostics;
using System.Net.Sockets;
using Onward.Integrations.LocalProcesses;
using Onward.Testing;
using Spectre.Console;

namespace Onward.Bench;

/// <summary>
/// What the stable port's HTTP mode (a service with a canary: YARP in the detached <c>onward forward</c>) costs per
/// request next to the plain forwarder (connections relayed as they are) and to no forwarder at all, against the
/// instantly healthy service: sequential requests for latency, concurrent clients for requests per second. The
/// canary row splits 10 % of the requests to a second copy of the service.
/// </summary>
public static class CanaryBenchmark
{
    public static async Task RunAsync(int requests, int clients, int seconds)
    {
        await using var dir = new TempDirectory();
        var healthy = await BenchServer.CompileHealthyAsync(dir);
        var (stablePort, canaryPort) = (Ports.Free(), Ports.Free());
        using var stable = StartHealthy(healthy, stablePort);
        using var canary = StartHealthy(healthy, canaryPort);
        var (plain, http, split) = (Ports.Free(), Ports.Free(), Ports.Free());
        var forwarderDir = dir.Combine("forwarder");
        Directory.CreateDirectory(forwarderDir);
        new ForwarderRoutes(1,
        [
            new ForwarderRoute("plain", plain, stablePort),
            new ForwarderRoute("http", http, stablePort) { Http = true, Version = "v1" },
            new ForwarderRoute("split", split, stablePort) { Http = true, Version = "v1", Canary = canaryPort, CanaryVersion = "v2", Weight = 10 },
        ], new Dictionary<string, string>()).Write(Path.Combine(forwarderDir, ForwarderRoutes.RoutesFile));
        using var forwarder = Process.Start(new ProcessStartInfo("dotnet", [Paths.OnwardDll, "forward", "--dir", forwarderDir])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
        })!;
        forwarder.OutputDataReceived += (_, _) => { };
        forwarder.BeginOutputReadLine();
        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(ForwarderRoutes.Read(Path.Combine(forwarderDir, ForwarderRoutes.AppliedFile))?.Generation == 1), "the forwarder to open its ports");
            var targets = new (string Name, int Port)[]
            {
                ("no forwarder (the service itself)", stablePort),
                ("plain forwarder (connections)", plain),
                ("HTTP mode (requests, YARP)", http),
                ("HTTP mode, canary at 10%", split),
            };
            // Every path warmed up first (the forwarder's JIT, connection pools), so that the order measured in does not count.
            foreach (var (_, port) in targets)
            {
                await SequentialAsync($"http://127.0.0.1:{port}/", 1000);
                await ConcurrentAsync($"http://127.0.0.1:{port}/", clients, 1);
            }
            var latencies = new Dictionary<string, List<double>>();
            var throughput = new Dictionary<string, double>();
            foreach (var (name, port) in targets)
            {
                latencies[name] = await SequentialAsync($"http://127.0.0.1:{port}/", requests);
                throughput[name] = await ConcurrentAsync($"http://127.0.0.1:{port}/", clients, seconds);
                AnsiConsole.MarkupLine($"[grey]{Markup.Escape(name)}: median {Stats.Percentile(latencies[name], 50):0.000} ms, {throughput[name]:0} requests/s[/]");
            }
            var direct = latencies[targets[0].Name];
            var table = new Table().Title($"Stable port modes, {requests} sequential requests and {clients} clients for {seconds} s each (the service closes every connection)")
                .AddColumns("path", "median", "p99", "added median", "added p99", "requests/s");
            foreach (var (name, _) in targets)
            {
                var values = latencies[name];
                table.AddRow(Markup.Escape(name), $"{Stats.Percentile(values, 50):0.000} ms", $"{Stats.Percentile(values, 99):0.000} ms",
                    name == targets[0].Name ? "" : $"{Stats.Percentile(values, 50) - Stats.Percentile(direct, 50):0.000} ms",
                    name == targets[0].Name ? "" : $"{Stats.Percentile(values, 99) - Stats.Percentile(direct, 99):0.000} ms",
                    $"{throughput[name]:0}");
            }
            AnsiConsole.Write(table);
        }
        finally
        {
            foreach (var process in new[] { forwarder, stable, canary })
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    private static Process StartHealthy(string healthy, int port)
    {
        var process = Process.Start(new ProcessStartInfo(healthy) { UseShellExecute = false, RedirectStandardOutput = true, Environment = { ["PORT"] = port.ToString() } })!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    /// <summary>One request after another on one client (it keeps its connection where the other side does); each one's time in ms, after a warm-up.</summary>
    private static async Task<List<double>> SequentialAsync(string url, int requests)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        for (var i = 0; i < 200; i++)
        {
            await GetAsync(http, url);
        }
        var times = new List<double>(requests);
        for (var i = 0; i < requests; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await GetAsync(http, url);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return times;
    }

    private static async Task<double> ConcurrentAsync(string url, int clients, int seconds)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = clients });
        long done = 0;
        var until = Stopwatch.GetTimestamp() + seconds * Stopwatch.Frequency;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                await GetAsync(http, url);
                Interlocked.Increment(ref done);
            }
        }));
        return done / (double)seconds;
    }

    private static async Task GetAsync(HttpClient http, string url)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(url);
                response.EnsureSuccessStatusCode();
                return;
            }
            catch (HttpRequestException e) when (attempt < 3 && e.InnerException is SocketException or IOException)
            {
                // The single-threaded service's listen queue overflowed under load; the request is sent again.
            }
        }
    }
}
