using System.Globalization;
using Onward.Testing;
using Onward.Testing.Kubernetes;
using Spectre.Console;

namespace Onward.Bench;

/// <summary>
/// Detection latency on the Kubernetes target: from the moment the simulated controller reports a rollout complete
/// (or the kubelet first reports a Pod fatally failing) to the deployment's state change in Onward, with COUNT
/// environments (one namespace each, on one API test server) verifying at once.
/// </summary>
public static class KubernetesBenchmark
{
    private static readonly ResourceType Deployments = ResourceType.Known.First(t => t.Plural == "deployments");

    public static async Task RunAsync(int count)
    {
        await using var dir = new TempDirectory();
        await using var registry = await LocalRegistry.StartAsync();
        await using var cluster = await KubernetesApiServer.StartAsync(simulate: true, [registry.Host]);
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
        var verified = await MeasureAsync(server, cluster, count, good, "Succeeded",
            ns => cluster.Store.Get(Deployments, ns, "web")?["metadata"]?["annotations"]?["test.onward.dev/completed-at"]?.GetValue<string>());
        AnsiConsole.MarkupLine($"[grey]{count} rollouts verified[/]");

        await repo.WriteAsync("deploy/web.yaml", Manifest(registry.Host, sidecar: true));
        var broken = await repo.CommitAsync("a sidecar image that was never pushed");
        var failed = await MeasureAsync(server, cluster, count, broken, "Failed",
            ns => cluster.Store.Get(Deployments, ns, "web")?["metadata"]?["annotations"]?["test.onward.dev/pod-failed-at"]?.GetValue<string>());
        var (peak, _) = server.Memory();

        var table = new Table().Title($"Kubernetes detection latency, {count} deployments verifying at once on one API test server").AddColumns("from → to", "median", "p99", "max");
        table.AddRow("rollout complete → Succeeded", $"{Stats.Percentile(verified, 50):0} ms", $"{Stats.Percentile(verified, 99):0} ms", $"{verified.Max():0} ms");
        table.AddRow("pod fatally failing → Failed", $"{Stats.Percentile(failed, 50):0} ms", $"{Stats.Percentile(failed, 99):0} ms", $"{failed.Max():0} ms");
        table.AddRow("server memory peak", $"{peak:0} MB", "", "");
        AnsiConsole.Write(table);
    }

    private static async Task<List<double>> MeasureAsync(BenchServer server, KubernetesApiServer cluster, int count, string commit, string state, Func<string, string?> markedAt)
    {
        var done = await Eventually.WaitAsync(async () =>
        {
            var all = (await server.Api.DeploymentsAsync("svc")).Where(d => d.Release.Commit == commit).ToList();
            return all.Count == count && all.All(d => d.State is "Succeeded" or "Failed" or "Blocked") ? all : null;
        }, $"{count} deployments to end", TimeSpan.FromMinutes(5));
        var latencies = new List<double>();
        foreach (var deployment in done)
        {
            if (deployment.State != state || (deployment.Reason ?? "").StartsWith("invalid manifests", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{deployment.Environment} ended {deployment.State}: {deployment.Reason} {cluster.Store.Get(Deployments, "ns-" + deployment.Environment["dev-".Length..], "web")?["spec"]?["template"]?.ToJsonString()}");
            }
            var full = await server.Api.DeploymentAsync(deployment.Id);
            var ended = full.Events.First(e => e.State == state).At;
            var ns = "ns-" + deployment.Environment["dev-".Length..];
            var at = markedAt(ns) ?? throw new InvalidOperationException($"no mark in {ns}: {cluster.Store.Get(Deployments, ns, "web")?["metadata"]?.ToJsonString()}");
            latencies.Add((ended - DateTimeOffset.Parse(at, CultureInfo.InvariantCulture)).TotalMilliseconds);
        }
        return latencies;
    }

    private static string Manifest(string registry, bool sidecar) =>
        WebManifest.Deployment($"{registry}/acme/web:latest", "[ { name: ONWARD_TEST_START_MS, value: \"300\" } ]", sidecar ? $"{registry}/acme/missing:1" : null);
}
