using Onward.Contracts.Deployments;
using System.Globalization;
using System.Text.Json.Nodes;
using Onward.Testing;
using Onward.Testing.Kubernetes;
using Spectre.Console;

namespace Onward.Bench;

/// <summary>
/// Detection latency on the Kubernetes target: from the moment the simulated controller reports a rollout complete
/// (or the kubelet first reports a Pod fatally failing) to the deployment's state change in Onward, with COUNT
/// environments (one namespace each, on one simulated cluster running as its own process) verifying at once. Also
/// how many watch streams Onward holds open on the cluster while they verify (shared watches: one per kind, not one
/// per deployment), and Onward's peak memory.
/// </summary>
public static class KubernetesBenchmark
{
    public static async Task RunAsync(int count)
    {
        await using var dir = new TempDirectory();
        await using var registry = await LocalRegistry.StartAsync();
        await using var cluster = await SimulatedClusterProcess.StartAsync(dir.Combine("kube", "config"));
        using var http = new HttpClient { BaseAddress = new Uri(cluster.Url) };
        var repo = await GitRepository.InitAsync(dir.Combine("svc"));
        await TestImages.AddToAsync(repo);
        await repo.WriteAsync("deploy/web.yaml", Manifest(registry.Host, sidecar: false));
        var environments = Enumerable.Range(1, count).Select(i =>
            $"dev-{i:D3}: {{ target: {{ kubernetes: {{ server: \"{cluster.Url}\", namespace: ns-{i:D3} }} }}, policy: {{ autoDeploy: main }} }}").ToList();
        var service = $$"""
              svc:
                repository: {{repo.Path}}
                poll: 200ms
                build: { buildah: { image: {{registry.Host}}/acme/web } }
                deploy: { manifests: deploy }
                verify: { timeout: 60s }
            """;
        var good = await repo.CommitAsync("good");
        await using var server = await BenchServer.StartAsync(dir, TestConfig.Yaml(Ports.Free(), environments, [service], $"registries: {{ \"{registry.Host}\": {{ insecure: true }} }}")
            .Replace("  dataDir: .onward\n", "  dataDir: .onward\n  workers: 32\n", StringComparison.Ordinal));
        var watches = 0L;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                var stats = JsonNode.Parse(await http.GetStringAsync("/onward-test/stats"))!;
                watches = Math.Max(watches, stats["openWatches"]!.GetValue<long>());
                await Task.Delay(200);
            }
        });
        var verified = await MeasureAsync(server, http, count, good, DeploymentState.Succeeded, "test.onward.dev/completed-at");
        AnsiConsole.MarkupLine($"[grey]{count} rollouts verified[/]");

        await repo.WriteAsync("deploy/web.yaml", Manifest(registry.Host, sidecar: true));
        var broken = await repo.CommitAsync("a sidecar image that was never pushed");
        var failed = await MeasureAsync(server, http, count, broken, DeploymentState.Failed, "test.onward.dev/pod-failed-at");
        await sampling.CancelAsync();
        await sampler;
        var (peak, _) = server.Memory();

        var table = new Table().Title($"Kubernetes detection latency, {count} deployments verifying at once on one simulated cluster (its own process)").AddColumns("from → to", "median", "p99", "max");
        table.AddRow("rollout complete → Succeeded", $"{Stats.Percentile(verified, 50):0} ms", $"{Stats.Percentile(verified, 99):0} ms", $"{verified.Max():0} ms");
        table.AddRow("pod fatally failing → Failed", $"{Stats.Percentile(failed, 50):0} ms", $"{Stats.Percentile(failed, 99):0} ms", $"{failed.Max():0} ms");
        table.AddRow("server memory peak", $"{peak:0} MB", "", "");
        table.AddRow("watch streams open on the cluster (most)", $"{watches}", "", "");
        AnsiConsole.Write(table);
    }

    private static async Task<List<double>> MeasureAsync(BenchServer server, HttpClient cluster, int count, string commit, DeploymentState state, string mark)
    {
        var done = await Eventually.WaitAsync(async () =>
        {
            var all = (await server.Api.DeploymentsAsync("svc", limit: 1000)).Where(d => d.Release.Commit == commit).ToList();
            return all.Count == count && all.All(d => d.State is DeploymentState.Succeeded or DeploymentState.Failed or DeploymentState.Blocked) ? all : null;
        }, $"{count} deployments to end", TimeSpan.FromMinutes(10));
        var latencies = new List<double>();
        foreach (var deployment in done)
        {
            var ns = "ns-" + deployment.Environment["dev-".Length..];
            var live = JsonNode.Parse(await cluster.GetStringAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web"))!;
            if (deployment.State != state || (deployment.Reason ?? "").StartsWith("invalid manifests", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{deployment.Environment} ended {deployment.State}: {deployment.Reason} {live["spec"]?["template"]?.ToJsonString()}");
            }
            var full = await server.Api.DeploymentAsync(deployment.Id);
            var ended = full.Events.First(e => e.State == state).At;
            var at = (live["metadata"]?["annotations"]?[mark] as JsonValue)?.ToString() ?? throw new InvalidOperationException($"no mark in {ns}: {live["metadata"]?.ToJsonString()}");
            latencies.Add((ended - DateTimeOffset.Parse(at, CultureInfo.InvariantCulture)).TotalMilliseconds);
        }
        return latencies;
    }

    private static string Manifest(string registry, bool sidecar) =>
        WebManifest.Deployment($"{registry}/acme/web:latest", "[ { name: ONWARD_TEST_START_MS, value: \"300\" } ]", sidecar ? $"{registry}/acme/missing:1" : null);
}
