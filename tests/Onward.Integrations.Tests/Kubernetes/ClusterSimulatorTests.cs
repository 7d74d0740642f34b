using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Onward.Core.Kubernetes;
using Onward.Testing;
using Onward.Testing.Kubernetes;
using KubernetesApi = k8s.Kubernetes;

namespace Onward.Integrations.Tests.Kubernetes;

/// <summary>The simulated cluster rolls workloads out and fails Pods the way kubelets do, against a real registry.</summary>
public class ClusterSimulatorTests
{
    private const string Ns = "shop";

    private static V1Deployment Deployment(string image, Dictionary<string, string>? env = null, string? memory = null) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = Ns },
        Spec = new V1DeploymentSpec
        {
            Replicas = 2,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                Spec = new V1PodSpec
                {
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "app",
                            Image = image,
                            Env = env?.Select(e => new V1EnvVar { Name = e.Key, Value = e.Value }).ToList(),
                            Resources = memory is null ? null : new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["memory"] = new(memory) } },
                        },
                    ],
                },
            },
        },
    };

    /// <summary>The deployment, its ReplicaSets and Pods as one List, the way `onward health` reads them.</summary>
    private static async Task<HealthReport> HealthAsync(KubernetesApi client)
    {
        var items = new JsonArray(
            JsonNode.Parse(KubernetesJson.Serialize(await client.AppsV1.ReadNamespacedDeploymentAsync("web", Ns)))!);
        foreach (var rs in (await client.AppsV1.ListNamespacedReplicaSetAsync(Ns)).Items)
        {
            var node = JsonNode.Parse(KubernetesJson.Serialize(rs))!;
            node["kind"] = "ReplicaSet";
            items.Add(node);
        }
        foreach (var pod in (await client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "app=web")).Items)
        {
            var node = JsonNode.Parse(KubernetesJson.Serialize(pod))!;
            node["kind"] = "Pod";
            items.Add(node);
        }
        items[0]!["kind"] = "Deployment";
        return WorkloadHealth.Evaluate(new JsonObject { ["kind"] = "List", ["items"] = items }, DateTimeOffset.UtcNow);
    }

    private static Task<HealthReport> SettledAsync(KubernetesApi client) =>
        Eventually.WaitAsync(async () => await HealthAsync(client) is { Done: true } report ? report : null, "the rollout to settle", TimeSpan.FromSeconds(30));

    private static Task ApplyAsync(KubernetesApi client, V1Deployment deployment) =>
        client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(deployment, V1Patch.PatchType.ApplyPatch), "web", Ns, fieldManager: "onward", force: true);

    [Fact]
    public async Task A_deployment_of_an_image_the_registry_has_rolls_out_and_replaces_the_old_pods()
    {
        await using var cluster = await RegistryCluster.StartAsync();
        var (image, client) = (cluster.Image, cluster.Client);

        await ApplyAsync(client, Deployment(image));
        (await SettledAsync(client)).Message.ShouldBe("deployment \"web\" successfully rolled out");
        var firstPods = (await client.CoreV1.ListNamespacedPodAsync(Ns)).Items.Select(p => p.Metadata.Name).ToList();

        await ApplyAsync(client, Deployment(image, new() { ["GREETING"] = "hi" }));
        (await SettledAsync(client)).Status.ShouldBe(HealthStatus.Healthy);

        var pods = (await client.CoreV1.ListNamespacedPodAsync(Ns)).Items;
        pods.Count.ShouldBe(2);
        pods.ShouldAllBe(p => !firstPods.Contains(p.Metadata.Name));
        (await client.AppsV1.ListNamespacedReplicaSetAsync(Ns)).Items.Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_missing_image_fails_fast_with_image_pull_back_off_while_the_old_pods_keep_running()
    {
        await using var cluster = await RegistryCluster.StartAsync();
        var (registry, image, client) = (cluster.Registry, cluster.Image, cluster.Client);
        await ApplyAsync(client, Deployment(image));
        await SettledAsync(client);

        await ApplyAsync(client, Deployment($"{registry.Host}/acme/web:missing"));
        var failed = await SettledAsync(client);

        failed.Status.ShouldBe(HealthStatus.Failed);
        failed.Message.ShouldMatch("container \"app\" is (ErrImagePull|ImagePullBackOff): Back-off pulling image .*/acme/web:missing.* of the new revision\\)");
        (await client.CoreV1.ListNamespacedPodAsync(Ns)).Items.Count(p => p.Status.Phase == "Running" && p.Spec.Containers[0].Image == image).ShouldBe(2);
    }

    [Fact]
    public async Task A_container_that_exits_ends_in_crash_loop_back_off_with_its_log_and_an_event()
    {
        await using var cluster = await RegistryCluster.StartAsync();
        var (image, client) = (cluster.Image, cluster.Client);

        await ApplyAsync(client, Deployment(image, new() { ["ONWARD_TEST_EXIT_CODE"] = "3" }));
        var failed = await SettledAsync(client);

        failed.Status.ShouldBe(HealthStatus.Failed);
        failed.Message.ShouldContain("CrashLoopBackOff");
        var pod = (await client.CoreV1.ListNamespacedPodAsync(Ns)).Items[0];
        (await new StreamReader(await client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, Ns, container: "app", tailLines: 30)).ReadToEndAsync())
            .ShouldContain("fatal: cannot start, exiting with 3");
        (await client.CoreV1.ListNamespacedEventAsync(Ns)).Items.ShouldContain(e => e.InvolvedObject.Name == pod.Metadata.Name && e.Reason == "BackOff");
    }

    [Fact]
    public async Task A_pod_asking_for_more_than_the_node_has_is_unschedulable()
    {
        await using var server = await KubernetesApiServer.StartAsync(simulate: true, namespaces: [Ns]);
        using var client = new KubernetesApi(new KubernetesClientConfiguration { Host = server.Url });

        await ApplyAsync(client, Deployment("registry.example.com/web:1", memory: "64Gi"));
        var pod = await Eventually.WaitAsync(async () => (await client.CoreV1.ListNamespacedPodAsync(Ns)).Items.FirstOrDefault(p => p.Status?.Conditions?.Any(c => c.Reason == "Unschedulable") == true),
            "an unschedulable pod");

        pod.Status.Phase.ShouldBe("Pending");
        pod.Status.Conditions.Single(c => c.Type == "PodScheduled").Message.ShouldBe("0/1 nodes are available: 1 Insufficient memory.");
        (await HealthAsync(client)).Status.ShouldBe(HealthStatus.Progressing, "within the grace an autoscaler could still add a node");
    }

    [Fact]
    public async Task A_job_runs_its_pods_to_completion_and_fails_past_its_backoff_limit()
    {
        await using var server = await KubernetesApiServer.StartAsync(simulate: true, namespaces: [Ns]);
        using var client = new KubernetesApi(new KubernetesClientConfiguration { Host = server.Url });
        V1Job Job(string name, Dictionary<string, string> env, int completions = 1) => new()
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
            Spec = new V1JobSpec
            {
                Completions = completions,
                BackoffLimit = 1,
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        Containers = [new V1Container { Name = "task", Image = "registry.example.com/task:1", Env = env.Select(e => new V1EnvVar { Name = e.Key, Value = e.Value }).ToList() }],
                    },
                },
            },
        };

        await client.BatchV1.PatchNamespacedJobAsync(new V1Patch(Job("migrate", new() { ["ONWARD_TEST_RUN_MS"] = "100" }, completions: 2), V1Patch.PatchType.ApplyPatch), "migrate", Ns, fieldManager: "onward", force: true);
        await client.BatchV1.PatchNamespacedJobAsync(new V1Patch(Job("broken", new() { ["ONWARD_TEST_EXIT_CODE"] = "2" }), V1Patch.PatchType.ApplyPatch), "broken", Ns, fieldManager: "onward", force: true);
        var done = await Eventually.WaitAsync(async () => (await client.BatchV1.ReadNamespacedJobAsync("migrate", Ns)) is { Status.Conditions: { Count: > 0 } } j ? j : null, "the job to complete");
        var failed = await Eventually.WaitAsync(async () => (await client.BatchV1.ReadNamespacedJobAsync("broken", Ns)) is { Status.Conditions: { Count: > 0 } } j ? j : null, "the job to fail");

        done.Status.Conditions.Single().Type.ShouldBe("Complete");
        done.Status.Succeeded.ShouldBe(2);
        done.Status.CompletionTime.ShouldNotBeNull();
        failed.Status.Conditions.Single().Reason.ShouldBe("BackoffLimitExceeded");
        failed.Status.Failed.ShouldBe(2, "one try and one retry");
        var pods = (await client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "job-name=broken")).Items;
        pods.ShouldAllBe(p => p.Status.Phase == "Failed" && p.Status.ContainerStatuses[0].State.Terminated.ExitCode == 2);
        var job = JsonNode.Parse(KubernetesJson.Serialize(failed))!;
        job["kind"] = "Job";
        WorkloadHealth.Evaluate(job, DateTimeOffset.UtcNow).Status.ShouldBe(HealthStatus.Failed);
    }

    private static async Task<HealthReport> SetHealthAsync(KubernetesApi client, string kind)
    {
        var workload = kind == "StatefulSet"
            ? JsonNode.Parse(KubernetesJson.Serialize(await client.AppsV1.ReadNamespacedStatefulSetAsync("db", Ns)))!
            : JsonNode.Parse(KubernetesJson.Serialize(await client.AppsV1.ReadNamespacedDaemonSetAsync("db", Ns)))!;
        workload["kind"] = kind;
        var items = new JsonArray(workload);
        foreach (var pod in (await client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "app=db")).Items)
        {
            var node = JsonNode.Parse(KubernetesJson.Serialize(pod))!;
            node["kind"] = "Pod";
            items.Add(node);
        }
        return WorkloadHealth.Evaluate(new JsonObject { ["kind"] = "List", ["items"] = items }, DateTimeOffset.UtcNow);
    }

    private static V1PodTemplateSpec Template(string image, Dictionary<string, string>? env = null) => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "db" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "db", Image = image, Env = env?.Select(e => new V1EnvVar { Name = e.Key, Value = e.Value }).ToList() }] },
    };

    [Fact]
    public async Task A_stateful_set_replaces_its_pods_one_by_one_and_reports_its_revisions()
    {
        await using var server = await KubernetesApiServer.StartAsync(simulate: true, namespaces: [Ns]);
        using var client = new KubernetesApi(new KubernetesClientConfiguration { Host = server.Url });
        V1StatefulSet Set(string image, Dictionary<string, string>? env = null) => new()
        {
            ApiVersion = "apps/v1",
            Kind = "StatefulSet",
            Metadata = new V1ObjectMeta { Name = "db", NamespaceProperty = Ns },
            Spec = new V1StatefulSetSpec { Replicas = 3, ServiceName = "db", Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "db" } }, Template = Template(image, env) },
        };

        await client.AppsV1.PatchNamespacedStatefulSetAsync(new V1Patch(Set("registry.example.com/db:1"), V1Patch.PatchType.ApplyPatch), "db", Ns, fieldManager: "onward", force: true);
        var first = await Eventually.WaitAsync(async () => await SetHealthAsync(client, "StatefulSet") is { Done: true } r ? r : null, "the stateful set");
        await client.AppsV1.PatchNamespacedStatefulSetAsync(new V1Patch(Set("registry.example.com/db:2"), V1Patch.PatchType.ApplyPatch), "db", Ns, fieldManager: "onward", force: true);
        var progress = new List<string>();
        var second = await Eventually.WaitAsync(async () =>
        {
            var report = await SetHealthAsync(client, "StatefulSet");
            progress.Add(report.Message);
            return report.Done ? report : null;
        }, "the rolling update");

        first.Message.ShouldBe("partitioned roll out complete: 3 new pods have been updated...");
        second.Status.ShouldBe(HealthStatus.Healthy);
        progress.ShouldContain(m => m.StartsWith("Waiting for", StringComparison.Ordinal));
        (await client.CoreV1.ListNamespacedPodAsync(Ns)).Items.Select(p => p.Metadata.Name).Order().ShouldBe(["db-0", "db-1", "db-2"]);
        (await client.CoreV1.ListNamespacedPodAsync(Ns)).Items.ShouldAllBe(p => p.Spec.Containers[0].Image == "registry.example.com/db:2");

        await client.AppsV1.PatchNamespacedStatefulSetAsync(new V1Patch(Set("registry.example.com/db:3", new() { ["ONWARD_TEST_EXIT_CODE"] = "1" }), V1Patch.PatchType.ApplyPatch), "db", Ns, fieldManager: "onward", force: true);
        var crashing = await Eventually.WaitAsync(async () => await SetHealthAsync(client, "StatefulSet") is { Done: true } r ? r : null, "the crash to show");
        crashing.Status.ShouldBe(HealthStatus.Failed);
        crashing.Message.ShouldContain("pod db-2 of the new revision");
    }

    [Fact]
    public async Task A_daemon_set_rolls_its_pod_on_the_node()
    {
        await using var server = await KubernetesApiServer.StartAsync(simulate: true, namespaces: [Ns]);
        using var client = new KubernetesApi(new KubernetesClientConfiguration { Host = server.Url });
        V1DaemonSet Set(string image) => new()
        {
            ApiVersion = "apps/v1",
            Kind = "DaemonSet",
            Metadata = new V1ObjectMeta { Name = "db", NamespaceProperty = Ns },
            Spec = new V1DaemonSetSpec { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "db" } }, Template = Template(image) },
        };

        await client.AppsV1.PatchNamespacedDaemonSetAsync(new V1Patch(Set("registry.example.com/agent:1"), V1Patch.PatchType.ApplyPatch), "db", Ns, fieldManager: "onward", force: true);
        (await Eventually.WaitAsync(async () => await SetHealthAsync(client, "DaemonSet") is { Done: true } r ? r : null, "the daemon set")).Message
            .ShouldBe("daemon set \"db\" successfully rolled out");
        await client.AppsV1.PatchNamespacedDaemonSetAsync(new V1Patch(Set("registry.example.com/agent:2"), V1Patch.PatchType.ApplyPatch), "db", Ns, fieldManager: "onward", force: true);
        (await Eventually.WaitAsync(async () => await SetHealthAsync(client, "DaemonSet") is { Done: true } r ? r : null, "the update")).Status.ShouldBe(HealthStatus.Healthy);
        (await client.CoreV1.ListNamespacedPodAsync(Ns)).Items.Single().Spec.Containers[0].Image.ShouldBe("registry.example.com/agent:2");
    }

    /// <summary>A registry holding the test image, and a simulated cluster that pulls from it, disposed together.</summary>
    private sealed class RegistryCluster : IAsyncDisposable
    {
        private readonly TempDirectory _dir;
        private readonly KubernetesApiServer _server;

        private RegistryCluster(TempDirectory dir, LocalRegistry registry, string image, KubernetesApiServer server)
        {
            (_dir, Registry, Image, _server) = (dir, registry, image, server);
            Client = new KubernetesApi(new KubernetesClientConfiguration { Host = server.Url });
        }

        public LocalRegistry Registry { get; }

        /// <summary>The test image by digest.</summary>
        public string Image { get; }

        public KubernetesApi Client { get; }

        public static async Task<RegistryCluster> StartAsync()
        {
            var dir = new TempDirectory();
            var registry = await LocalRegistry.StartAsync();
            var repo = await GitRepository.InitAsync(dir.Combine("img"));
            await TestImages.AddToAsync(repo);
            Directory.CreateDirectory(dir.Combine("buildah"));
            var digest = await TestImages.BuildAndPushAsync(repo.Path, $"{registry.Host}/acme/web:v1", dir.Combine("buildah"));
            return new RegistryCluster(dir, registry, $"{registry.Host}/acme/web@{digest}", await KubernetesApiServer.StartAsync(simulate: true, namespaces: [Ns]));
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _server.DisposeAsync();
            await Registry.DisposeAsync();
            await _dir.DisposeAsync();
        }
    }
}
