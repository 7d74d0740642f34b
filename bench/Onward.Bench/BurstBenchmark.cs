using System.Diagnostics;
using Onward.Testing;
using Spectre.Console;

namespace Onward.Bench;

/// <summary>Many services, one dev environment each, all receiving a commit at the same moment.</summary>
public static class BurstBenchmark
{
    /// <param name="postgres">On a PostgreSQL database of the benchmark's own instead of SQLite.</param>
    /// <param name="replicas">How many `onward serve` replicas share the database.</param>
    public static async Task RunAsync(int services, string poll, bool postgres = false, int replicas = 1)
    {
        await using var dir = new TempDirectory();
        await using var database = postgres ? await TestPostgres.CreateDatabaseAsync() : null;
        var healthy = await BenchServer.CompileHealthyAsync(dir);
        var repos = new List<GitRepository>();
        var yaml = new List<string>();
        for (var i = 0; i < services; i++)
        {
            var repo = await GitRepository.InitAsync(dir.Combine($"svc-{i:D3}"));
            await repo.CommitAsync("initial");
            repos.Add(repo);
            yaml.Add($"""
                  svc-{i:D3}:
                    repository: {repo.Path}
                    poll: {poll}
                    build: {"{"} command: {"{"} run: "true" {"}"} {"}"}
                    deploy:
                      local: {"{"} command: "{healthy}", healthUrl: "http://127.0.0.1:{"{"}port{"}"}/healthz" {"}"}
                    verify: {"{"} timeout: 60s {"}"}
                """);
        }
        var port = Ports.Free();
        // Builds here are `true`: allow many at once, so that the figures are Onward's and not the build queue's.
        await using var server = await BenchServer.StartAsync(dir, BenchServer.OnDatabase(TestConfig.Yaml(port, [TestConfig.AutoEnvironment("dev")], yaml)
            .Replace("  dataDir: .onward\n", "  dataDir: .onward\n  builds: 16\n", StringComparison.Ordinal), database?.Url));
        AnsiConsole.MarkupLine($"[grey]{(database is null ? "SQLite" : $"PostgreSQL, {replicas} replica(s)")}[/]");
        var warmup = Stopwatch.StartNew();
        await WaitForAsync(server, services, repos.Count, TimeSpan.FromMinutes(5));
        AnsiConsole.MarkupLine($"[grey]warm-up: {services} first releases verified after {warmup.Elapsed.TotalSeconds:0.0} s[/]");
        var others = new List<BenchServer>();
        for (var i = 1; i < replicas; i++)
        {
            others.Add(await BenchServer.StartReplicaAsync(dir, Ports.Free()));
        }

        var commits = Stopwatch.StartNew();
        var heads = await Task.WhenAll(repos.Select(r => r.CommitAsync("burst")));
        var committedIn = commits.Elapsed;
        var done = Stopwatch.StartNew();
        await WaitForAsync(server, services, 2 * repos.Count, TimeSpan.FromMinutes(5));
        var wall = done.Elapsed;

        var seenToVerified = new List<double>();
        var overheads = new List<double>();
        var deployments = await server.Api.GetAsync<Onward.Contracts.Deployments.DeploymentResponse[]>("api/v1/deployments?state=Succeeded&limit=1000");
        var releases = await server.Api.GetAsync<Onward.Contracts.Releases.ReleaseResponse[]>("api/v1/releases?limit=1000");
        var headSet = heads.ToHashSet();
        foreach (var deployment in deployments.Where(d => headSet.Contains(d.Release.Commit)))
        {
            var (total, overhead) = await server.MeasureAsync(releases.Single(r => r.Id == deployment.Release.Id), deployment);
            seenToVerified.Add(total);
            overheads.Add(overhead);
        }
        var firstSeen = releases.Where(r => headSet.Contains(r.Commit)).Min(r => r.CreatedAt);
        var lastVerified = deployments.Where(d => headSet.Contains(d.Release.Commit)).Max(d => d.UpdatedAt);
        var (peak, current) = server.Memory();

        var table = new Table().Title($"Burst: {services} services × 1 dev environment, one commit each at once (poll {poll})").AddColumns("measure", "value");
        table.AddRow("commits made (git, in parallel)", $"{committedIn.TotalSeconds:0.0} s");
        table.AddRow("last commit made → all verified (includes waiting for the poll)", $"{wall.TotalSeconds:0.0} s");
        table.AddRow("first commit seen → last deployment verified", $"{(lastVerified - firstSeen).TotalSeconds:0.0} s");
        table.AddRow("seen → verified per deployment: median / p99", $"{Stats.Percentile(seenToVerified, 50):0} ms / {Stats.Percentile(seenToVerified, 99):0} ms");
        table.AddRow("overhead per deployment: median / p99", $"{Stats.Percentile(overheads, 50):0} ms / {Stats.Percentile(overheads, 99):0} ms");
        table.AddRow("server memory: peak / now", $"{peak:0} MB / {current:0} MB");
        AnsiConsole.Write(table);
        foreach (var other in others)
        {
            await other.DisposeAsync();
        }
    }

    private static Task WaitForAsync(BenchServer server, int services, int succeeded, TimeSpan limit) =>
        Eventually.WaitAsync(async () =>
        {
            var list = await server.Api.GetAsync<Onward.Contracts.Deployments.DeploymentResponse[]>("api/v1/deployments?state=Succeeded&limit=1000");
            return list.Length >= succeeded;
        }, $"{succeeded} deployments of {services} services to verify", limit);
}
