using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Onward.Contracts.Webhooks;
using Onward.Testing;
using Spectre.Console;

namespace Onward.Bench;

/// <summary>Webhook intake: signed GitHub deliveries from concurrent senders, each answered only once it is on disk.</summary>
public static class IntakeBenchmark
{
    /// <param name="postgres">On a PostgreSQL database of the benchmark's own instead of SQLite.</param>
    /// <param name="replicas">How many `onward serve` replicas share the database; senders spread over them.</param>
    public static async Task RunAsync(int senders, int total, bool postgres, int replicas)
    {
        await using var dir = new TempDirectory();
        await using var database = postgres ? await TestPostgres.CreateDatabaseAsync() : null;
        var repo = await GitRepository.InitAsync(dir.Combine("svc"));
        var head = await repo.CommitAsync("initial");
        const string secret = "bench-secret";
        var port = Ports.Free();
        await using var server = await BenchServer.StartAsync(dir, BenchServer.OnDatabase(TestConfig.Yaml(port,
            [TestConfig.AutoEnvironment("dev")], [SampleService.ServiceYaml("svc", repo.Path, poll: "1h")], $"webhooks: {{ github: {{ secret: {secret} }} }}"), database?.Url));
        var others = new List<BenchServer>();
        for (var i = 1; i < replicas; i++)
        {
            others.Add(await BenchServer.StartReplicaAsync(dir, Ports.Free()));
        }
        // Pushes to a feature branch: recorded durably with their reason, without starting builds that would
        // compete with the intake for the two cores.
        var body = Payloads.GitHubPush(repo.Path, "refs/heads/feature/bench", "0000000000000000000000000000000000000000", head);
        var clients = new[] { server }.Concat(others)
            .Select(s => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = senders }) { BaseAddress = s.Api.Http.BaseAddress })
            .ToList();
        var sender = new WebhookSender(clients[0], secret);
        for (var i = 0; i < 200; i++)
        {
            await sender.GitHubAsync("push", body, delivery: $"warm-{i}");
        }

        var latencies = new ConcurrentBag<double>();
        var failures = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) is var n && n < total)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await new WebhookSender(clients[n % clients.Count], secret).GitHubAsync("push", body, delivery: $"bench-{n}");
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));
        var elapsed = clock.Elapsed;
        var recorded = (await server.Api.GetAsync<DeliveryResponse[]>("api/v1/webhooks/deliveries?limit=1000")).Length;
        var values = latencies.ToList();
        var (peak, _) = server.Memory();

        foreach (var other in others)
        {
            await other.DisposeAsync();
        }
        clients.ForEach(c => c.Dispose());
        var where = database is null ? "SQLite" : $"PostgreSQL, {replicas} replica(s)";
        var table = new Table().Title($"Webhook intake ({where}): {total} signed GitHub deliveries from {senders} concurrent senders").AddColumns("measure", "value");
        table.AddRow("deliveries recorded per second", $"{total / elapsed.TotalSeconds:0}");
        table.AddRow("answer time: median / p99 / max", $"{Stats.Percentile(values, 50):0.0} ms / {Stats.Percentile(values, 99):0.0} ms / {values.Max():0.0} ms");
        table.AddRow("answers other than 202", failures.ToString());
        table.AddRow("newest 1000 deliveries listed by the API", recorded.ToString());
        table.AddRow("server memory peak", $"{peak:0} MB");
        AnsiConsole.Write(table);
    }
}
