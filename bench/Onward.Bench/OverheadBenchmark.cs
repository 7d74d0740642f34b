using Onward.Contracts.Deployments;
using System.Diagnostics;
using Onward.Testing;
using Spectre.Console;

namespace Onward.Bench;

/// <summary>
/// One service, ten development environments, a no-op build and an instantly healthy process: what Onward itself
/// adds between a commit being seen and all ten environments verified.
/// </summary>
public static class OverheadBenchmark
{
    public static async Task RunAsync(int commits)
    {
        await using var dir = new TempDirectory();
        var healthy = await BenchServer.CompileHealthyAsync(dir);
        var repo = await GitRepository.InitAsync(dir.Combine("svc"));
        await repo.CommitAsync("initial");
        var environments = Enumerable.Range(1, 10).Select(i => TestConfig.AutoEnvironment($"dev-{i}")).ToList();
        var service = $"""
              svc:
                repository: {repo.Path}
                poll: 100ms
                build: {"{"} command: {"{"} run: "true" {"}"} {"}"}
                deploy:
                  local: {"{"} command: "{healthy}", healthUrl: "http://127.0.0.1:{"{"}port{"}"}/healthz" {"}"}
                verify: {"{"} timeout: 30s {"}"}
            """;
        await using var server = await BenchServer.StartAsync(dir, TestConfig.Yaml(Ports.Free(), environments, [service]));
        var head = await repo.HeadAsync();
        await WaitForAllAsync(server, head);

        var totals = new List<double>();
        var overheads = new List<double>();
        var allTen = new List<double>();
        for (var i = 0; i < commits; i++)
        {
            var commit = await repo.CommitAsync($"change {i}");
            var watch = Stopwatch.StartNew();
            var release = await server.Api.BuiltReleaseAsync("svc", commit);
            var deployments = await WaitForAllAsync(server, commit);
            foreach (var deployment in deployments)
            {
                var (total, overhead) = await server.MeasureAsync(release, deployment);
                totals.Add(total);
                overheads.Add(overhead);
            }
            allTen.Add(deployments.Max(d => (d.UpdatedAt - release.CreatedAt).TotalMilliseconds));
            AnsiConsole.MarkupLine($"[grey]commit {i + 1}/{commits}: all 10 verified {allTen[^1]:0} ms after it was seen[/]");
        }
        var (peak, current) = server.Memory();

        var table = new Table().Title($"Onward overhead, local target, 1 service × 10 dev environments, {commits} commits").AddColumns("measure", "median", "p90", "p99", "max");
        void Row(string name, List<double> values, string unit) => table.AddRow(name,
            $"{Stats.Percentile(values, 50):0.0} {unit}", $"{Stats.Percentile(values, 90):0.0} {unit}", $"{Stats.Percentile(values, 99):0.0} {unit}", $"{values.Max():0.0} {unit}");
        Row("overhead per deployment (seen → verified − build − process start)", overheads, "ms");
        Row("seen → verified per deployment", totals, "ms");
        Row("seen → all 10 environments verified", allTen, "ms");
        foreach (var (phase, values) in server.Phases)
        {
            Row("  phase: " + phase, values, "ms");
        }
        table.AddRow("server memory (peak / now)", $"{peak:0} MB", $"{current:0} MB", "", "");
        AnsiConsole.Write(table);
    }

    private static async Task<Onward.Contracts.Deployments.DeploymentResponse[]> WaitForAllAsync(BenchServer server, string commit)
    {
        try
        {
            return await Eventually.WaitAsync(async () =>
            {
                var mine = (await server.Api.DeploymentsAsync("svc")).Where(d => d.Release.Commit == commit).ToArray();
                return mine.Length == 10 && mine.All(d => d.State == DeploymentState.Succeeded) ? mine : null;
            }, "all 10 environments to verify", TimeSpan.FromMinutes(1));
        }
        catch (TimeoutException)
        {
            foreach (var d in (await server.Api.DeploymentsAsync("svc")).Where(d => d.Release.Commit == commit))
            {
                Console.Error.WriteLine($"{d.Id} {d.Environment} {d.State} {d.Reason}");
            }
            Console.Error.WriteLine(server.ServerLog());
            throw;
        }
    }
}
