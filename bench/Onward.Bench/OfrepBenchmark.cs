using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Onward.Testing;
using Spectre.Console;

namespace Onward.Bench;

/// <summary>
/// OFREP throughput of <c>onward serve</c>: single and bulk (50 flags) evaluations from CLIENTS concurrent keep-alive
/// connections on loopback, for SECONDS each, with latency percentiles and the server's memory. Client and server
/// share the two cores.
/// </summary>
public static class OfrepBenchmark
{
    public static async Task RunAsync(int clients, int seconds)
    {
        await using var dir = new TempDirectory();
        var port = Ports.Free();
        await using var server = await BenchServer.StartAsync(dir, TestConfig.Yaml(port, [TestConfig.AutoEnvironment("dev")], []));
        var flags = new JsonObject();
        for (var i = 0; i < 50; i++)
        {
            flags[$"flag-{i}"] = (i % 3) switch
            {
                0 => JsonNode.Parse("""{"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"}"""),
                1 => JsonNode.Parse("""{"state": "ENABLED", "variants": {"new": "new", "old": "old"}, "defaultVariant": "old", "targeting": {"if": [{"ends_with": [{"var": "email"}, "@acme.com"]}, "new", null]}}"""),
                _ => JsonNode.Parse("""{"state": "ENABLED", "variants": {"a": "a", "b": "b"}, "defaultVariant": "a", "targeting": {"fractional": [["a", 50], ["b", 50]]}}"""),
            };
        }
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        using (var put = await http.PutAsync("api/v1/environments/dev/flags", new StringContent(new JsonObject { ["flags"] = flags }.ToJsonString(), Encoding.UTF8, "application/json")))
        {
            put.EnsureSuccessStatusCode();
        }

        var table = new Table().Title($"OFREP on loopback, {clients} concurrent keep-alive clients, {seconds} s each").AddColumns("request", "evaluations/s", "requests/s", "p50", "p99", "errors");
        foreach (var (name, path, perRequest) in new[] { ("single flag", "flags/dev/ofrep/v1/evaluate/flags/flag-1", 1), ("bulk, 50 flags", "flags/dev/ofrep/v1/evaluate/flags", 50) })
        {
            await LoadAsync(http, path, clients, TimeSpan.FromSeconds(2));
            var (requests, latencies, errors, elapsed) = await LoadAsync(http, path, clients, TimeSpan.FromSeconds(seconds));
            table.AddRow(name, $"{requests * perRequest / elapsed.TotalSeconds:N0}", $"{requests / elapsed.TotalSeconds:N0}",
                $"{Stats.Percentile(latencies, 50):0.00} ms", $"{Stats.Percentile(latencies, 99):0.00} ms", errors.ToString());
        }
        var (peak, _) = server.Memory();
        table.AddRow("server memory peak", $"{peak:0} MB", "", "", "", "");
        AnsiConsole.Write(table);
    }

    private static async Task<(long Requests, List<double> Latencies, long Errors, TimeSpan Elapsed)> LoadAsync(HttpClient http, string path, int clients, TimeSpan duration)
    {
        var latencies = new ConcurrentBag<List<double>>();
        long requests = 0, errors = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = new List<double>();
            var domain = c % 2 == 0 ? "acme.com" : "example.com";
            var body = new JsonObject { ["context"] = new JsonObject { ["targetingKey"] = $"user-{c}", ["email"] = $"u{c}@{domain}" } }.ToJsonString();
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
                await response.Content.ReadAsByteArrayAsync();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Increment(ref requests);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref errors);
                }
            }
            latencies.Add(mine);
        })));
        return (requests, latencies.SelectMany(l => l).ToList(), errors, clock.Elapsed);
    }
}
