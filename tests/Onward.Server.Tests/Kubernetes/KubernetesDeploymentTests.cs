using Onward.Contracts.Deployments;
using Onward.Testing;
using Onward.Testing.Kubernetes;

namespace Onward.Server.Tests.Kubernetes;

/// <summary>Releases go to two "clusters" (two API test servers with simulated controllers), verified by watching.</summary>
public class KubernetesDeploymentTests
{
    private const string Manifests = """
        apiVersion: v1
        kind: ConfigMap
        metadata: { name: web-config }
        data: { GREETING: Hello }
        ---
        DEPLOYMENT---
        apiVersion: v1
        kind: Service
        metadata: { name: web }
        spec: { selector: { app: web }, ports: [ { port: 80 } ] }
        """;

    private static async Task CommitManifestsAsync(GitRepository repo, string image, string env = "[]")
    {
        await repo.WriteAsync("deploy/k8s/web.yaml", Manifests.Replace("DEPLOYMENT", WebManifest.Deployment(image + ":latest", env), StringComparison.Ordinal));
    }

    private static string Yaml(LocalRegistry registry, string repository, KubernetesApiServer one, KubernetesApiServer two, int? port = null) => TestConfig.Yaml(port ?? Ports.Free(),
        [
            $"dev-a: {{ target: {{ kubernetes: {{ server: \"{one.Url}\", namespace: shop }} }}, policy: {{ autoDeploy: main }} }}",
            $"dev-b: {{ target: {{ kubernetes: {{ server: \"{two.Url}\", namespace: shop-b }} }}, policy: {{ autoDeploy: main }} }}",
        ],
        [$$"""
          shop:
            repository: {{repository}}
            poll: 200ms
            build: { buildah: { image: {{registry.Host}}/acme/web } }
            deploy: { manifests: deploy/k8s }
            verify: { timeout: 20s }
        """],
        $"registries: {{ \"{registry.Host}\": {{ insecure: true }} }}");

    [Fact]
    public async Task A_release_is_applied_to_two_clusters_verified_and_a_crashing_one_is_caught_and_the_previous_restored()
    {
        await using var clusters = await Clusters.StartAsync();
        var (dir, registry, one, two, repo) = clusters;
        await CommitManifestsAsync(repo, $"{registry.Host}/acme/web");
        var good = await repo.CommitAsync("good");
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(registry, repo.Path, one, two));

        var release = await onward.Api.BuiltReleaseAsync("shop", good);
        release.State.ShouldBe("Built", await onward.Api.Http.GetStringAsync($"api/v1/releases/{release.Id}/log"));
        foreach (var (environment, server, ns) in new[] { ("dev-a", one, "shop"), ("dev-b", two, "shop-b") })
        {
            var deployment = await onward.Api.FinishedDeploymentAsync("shop", environment, good);
            deployment.State.ShouldBe(DeploymentState.Succeeded, deployment.Reason + deployment.Diagnosis);
            deployment.Events[^1].Message.ShouldContain("deployment \"web\" successfully rolled out");
            var applied = server.Store.Get(Onward.Testing.Kubernetes.ResourceType.Known.First(t => t.Plural == "deployments"), ns, "web")!;
            applied["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>().ShouldBe($"{registry.Host}/acme/web@{release.Digest}");
            applied["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]!.GetValue<string>().ShouldBe("onward");
            applied["metadata"]!["labels"]!["onward.dev/environment"]!.GetValue<string>().ShouldBe(environment);
            applied["metadata"]!["annotations"]!["onward.dev/commit"]!.GetValue<string>().ShouldBe(good);
            applied["metadata"]!["annotations"]!["onward.dev/deployment-id"]!.GetValue<string>().ShouldBe(deployment.Id.ToString());
            server.Store.Get(Onward.Testing.Kubernetes.ResourceType.Known.First(t => t.Plural == "configmaps"), ns, "web-config").ShouldNotBeNull();
        }

        await CommitManifestsAsync(repo, $"{registry.Host}/acme/web", "[ { name: ONWARD_TEST_EXIT_CODE, value: \"3\" } ]");
        var bad = await repo.CommitAsync("crashes");
        var failed = await onward.Api.FinishedDeploymentAsync("shop", "dev-a", bad);

        failed.State.ShouldBe(DeploymentState.Failed);
        failed.Reason.ShouldStartWith("Deployment/web: container \"app\" is CrashLoopBackOff");
        failed.Diagnosis!.ShouldContain("workload:   Deployment/web in shop");
        failed.Diagnosis!.ShouldContain("container:  app");
        failed.Diagnosis!.ShouldContain("fatal: cannot start, exiting with 3");
        failed.Diagnosis!.ShouldContain("Warning BackOff");
        var restoredDeployment = await onward.Api.RestoredAsync(failed.Id);
        restoredDeployment.Restore.ShouldBe("done", string.Join("\n", restoredDeployment.Events.Select(e => e.Message)));
        var reapplied = $"re-applied {good[..7]}'s manifests";
        restoredDeployment.Events.ShouldContain(e => e.Message.Contains(reapplied, StringComparison.Ordinal));
        restoredDeployment.Events[^1].Message.ShouldStartWith($"restored {good[..7]}: verified: deployment \"web\" successfully rolled out");
        var restored = one.Store.Get(Onward.Testing.Kubernetes.ResourceType.Known.First(t => t.Plural == "deployments"), "shop", "web")!;
        restored["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>().ShouldBe($"{registry.Host}/acme/web@{release.Digest}");
        restored["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task Manifests_that_never_use_the_services_image_fail_before_anything_is_applied()
    {
        await using var clusters = await Clusters.StartAsync();
        var (dir, registry, one, two, repo) = clusters;
        await CommitManifestsAsync(repo, "registry.example.com/someone-else");
        var commit = await repo.CommitAsync();
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(registry, repo.Path, one, two));

        var failed = await onward.Api.FinishedDeploymentAsync("shop", "dev-a", commit);

        failed.State.ShouldBe(DeploymentState.Failed);
        failed.Reason.ShouldBe($"invalid manifests, nothing was applied: the manifests never use the service's image {registry.Host}/acme/web; a container needs `image: {registry.Host}/acme/web` (any tag: Onward pins the release's digest)");
        one.Store.List(Onward.Testing.Kubernetes.ResourceType.Known.First(t => t.Plural == "configmaps"), "shop").Items.ShouldBeEmpty();
    }

    /// <summary>Issue 11.3: an API server that cannot take a request now is tried again, each attempt in the timeline; one that refuses fails at once.</summary>
    [Fact]
    public async Task An_overloaded_api_server_is_tried_again_visibly_and_a_refusal_fails_the_deployment_at_once()
    {
        await using var clusters = await Clusters.StartAsync();
        var (dir, registry, one, two, repo) = clusters;
        await CommitManifestsAsync(repo, $"{registry.Host}/acme/web");
        one.FailNext("PATCH", 2, 503);
        two.FailNext("PATCH", 1, 403);
        var commit = await repo.CommitAsync();
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(registry, repo.Path, one, two));

        var retried = await onward.Api.FinishedDeploymentAsync("shop", "dev-a", commit);
        var refused = await onward.Api.FinishedDeploymentAsync("shop", "dev-b", commit);

        retried.State.ShouldBe(DeploymentState.Succeeded, retried.Reason);
        var attempts = retried.Events.Where(e => e.Message.StartsWith("attempt ", StringComparison.Ordinal)).Select(e => e.Message).ToList();
        attempts.Count.ShouldBe(2);
        attempts[0].ShouldStartWith("attempt 1 failed: the API server answered 503 test API server: a fault made to order (503) to the apply of ConfigMap/web-config in shop; trying again in ");
        attempts[1].ShouldStartWith("attempt 2 failed: ");
        refused.State.ShouldBe(DeploymentState.Failed);
        refused.Reason.ShouldBe("applying ConfigMap/web-config in shop-b failed: 403 test API server: a fault made to order (403) (from deploy/k8s/web.yaml (document 1))");
        refused.Events.ShouldNotContain(e => e.Message.StartsWith("attempt ", StringComparison.Ordinal));
    }

    /// <summary>A registry, two simulated clusters and the service's repository with its image material, disposed together.</summary>
    private sealed class Clusters : IAsyncDisposable
    {
        private Clusters(TempDirectory dir, LocalRegistry registry, KubernetesApiServer one, KubernetesApiServer two, GitRepository repo) =>
            (Dir, Registry, One, Two, Repo) = (dir, registry, one, two, repo);

        public TempDirectory Dir { get; }

        public LocalRegistry Registry { get; }

        public KubernetesApiServer One { get; }

        public KubernetesApiServer Two { get; }

        public GitRepository Repo { get; }

        public static async Task<Clusters> StartAsync()
        {
            var dir = new TempDirectory();
            var registry = await LocalRegistry.StartAsync();
            var one = await KubernetesApiServer.StartAsync(simulate: true, namespaces: ["shop", "shop-b"]);
            var two = await KubernetesApiServer.StartAsync(simulate: true, namespaces: ["shop", "shop-b"]);
            var repo = await GitRepository.InitAsync(dir.Combine("shop"));
            await TestImages.AddToAsync(repo);
            return new Clusters(dir, registry, one, two, repo);
        }

        public void Deconstruct(out TempDirectory dir, out LocalRegistry registry, out KubernetesApiServer one, out KubernetesApiServer two, out GitRepository repo) =>
            (dir, registry, one, two, repo) = (Dir, Registry, One, Two, Repo);

        public async ValueTask DisposeAsync()
        {
            await Two.DisposeAsync();
            await One.DisposeAsync();
            await Registry.DisposeAsync();
            await Dir.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_missing_image_is_caught_fast_and_a_slow_rollout_is_not_failed_early_even_when_watches_drop()
    {
        await using var clusters = await Clusters.StartAsync();
        var (dir, registry, one, two, repo) = clusters;
        await CommitManifestsAsync(repo, $"{registry.Host}/acme/web", "[ { name: ONWARD_TEST_START_MS, value: \"2500\" } ]");
        var slow = await repo.CommitAsync("slow to start");
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(registry, repo.Path, one, two));
        await Eventually.WaitAsync(async () => (await onward.Api.DeploymentsAsync("shop", "dev-a")).Any(d => d.State == DeploymentState.Verifying), "verification to begin");
        var open = one.Store.OpenWatches;
        one.Store.DropWatches();
        await Eventually.WaitAsync(() => Task.FromResult(one.Store.OpenWatches >= open), "the watches to be open again");
        one.Store.DropWatches();

        (await onward.Api.FinishedDeploymentAsync("shop", "dev-a", slow)).State.ShouldBe(DeploymentState.Succeeded);

        await repo.WriteAsync("deploy/k8s/web.yaml", WebManifest.Deployment($"{registry.Host}/acme/web:latest", sidecarImage: $"{registry.Host}/acme/missing:1"));
        var missing = await repo.CommitAsync("a sidecar whose image was never pushed");
        var failed = await onward.Api.FinishedDeploymentAsync("shop", "dev-b", missing);

        failed.State.ShouldBe(DeploymentState.Failed);
        failed.Reason!.ShouldMatch("container \"sidecar\" is (ErrImagePull|ImagePullBackOff)");
        failed.Diagnosis!.ShouldContain("container:  sidecar");
        failed.Reason!.ShouldNotContain("did not", customMessage: "it failed on the pod, not on the verify timeout");
    }

    [Fact]
    public async Task A_server_killed_mid_verification_re_attaches_and_finishes_the_deployment_once()
    {
        await using var clusters = await Clusters.StartAsync();
        var (dir, registry, one, two, repo) = clusters;
        await CommitManifestsAsync(repo, $"{registry.Host}/acme/web", "[ { name: ONWARD_TEST_START_MS, value: \"4000\" } ]");
        var commit = await repo.CommitAsync();
        var port = Ports.Free();
        var config = dir.Combine("onward.yaml");
        await File.WriteAllTextAsync(config, Yaml(registry, repo.Path, one, two, port));
        var url = new Uri($"http://127.0.0.1:{port}/");
        long id;
        await using (var first = await OnwardProcess.StartAsync(config, url, dir.Combine("server-1.log")))
        {
            id = (await Eventually.WaitAsync(async () => (await first.Api.DeploymentsAsync("shop", "dev-a")).FirstOrDefault(d => d.State == DeploymentState.Verifying), "verification to begin")).Id;
            await first.KillAsync();
        }
        await using var second = await OnwardProcess.StartAsync(config, url, dir.Combine("server-2.log"));

        var finished = await second.Api.FinishedDeploymentAsync("shop", "dev-a", commit);

        finished.Id.ShouldBe(id);
        finished.State.ShouldBe(DeploymentState.Succeeded);
        finished.Events.Count(e => e.State == DeploymentState.Succeeded).ShouldBe(1);
    }
}
