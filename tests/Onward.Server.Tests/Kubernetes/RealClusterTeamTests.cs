using System.Net.Http.Json;
using k8s;
using k8s.Models;
using Onward.Contracts.Deployments;
using Onward.Contracts.Releases;
using Onward.Testing;
using Onward.Testing.Kubernetes;

namespace Onward.Server.Tests.Kubernetes;

/// <summary>
/// What <see cref="TeamRepositoryTests"/> shows on the simulated cluster, on a real one when it is at hand: a CRD and
/// its resource applied in order, prune of an object the next release dropped, and drift made by hand seen from the
/// watches. Set ONWARD_TEST_KUBECONFIG (and optionally ONWARD_TEST_CONTEXT) and ONWARD_TEST_IMAGE, an image reference
/// with a tag that Onward can resolve in its registry and the cluster can pull (a pause image will do). Everything is
/// made in a namespace of its own and a CRD with a group of its own, deleted afterwards. Skipped otherwise.
/// </summary>
public class RealClusterTeamTests
{
    private static readonly TimeSpan RealClusterWait = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task A_release_with_a_crd_is_applied_pruned_and_watched_for_drift_on_a_real_cluster()
    {
        var kubeconfig = Environment.GetEnvironmentVariable("ONWARD_TEST_KUBECONFIG");
        var image = Environment.GetEnvironmentVariable("ONWARD_TEST_IMAGE");
        Assert.SkipWhen(string.IsNullOrEmpty(kubeconfig) || string.IsNullOrEmpty(image), "set ONWARD_TEST_KUBECONFIG and ONWARD_TEST_IMAGE to run against a real cluster");
        await RunAsync(kubeconfig, Environment.GetEnvironmentVariable("ONWARD_TEST_CONTEXT"), image);
    }

    /// <summary>The same scenario through a kubeconfig, against the simulated cluster as a process of its own, so that the real-cluster path keeps working.</summary>
    [Fact]
    public async Task The_real_cluster_scenario_passes_against_the_simulated_cluster_process()
    {
        await using var dir = new TempDirectory();
        await using var registry = await LocalRegistry.StartAsync();
        await using var cluster = await SimulatedClusterProcess.StartAsync(dir.Combine("kube", "config"));
        await registry.PushTinyImageAsync("acme/pause", "3.10");
        await RunAsync(cluster.Kubeconfig, null, $"{registry.Host}/acme/pause:3.10");
    }

    private static async Task RunAsync(string kubeconfig, string? context, string image)
    {
        var tagAt = image.LastIndexOf(':');
        tagAt.ShouldBeGreaterThan(image.LastIndexOf('/'), "ONWARD_TEST_IMAGE needs a tag, e.g. NAME:3.10");
        var imageName = image[..tagAt];
        var registryHost = imageName.Split('/')[0];
        using var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, context));
        var id = Guid.NewGuid().ToString("N")[..8];
        var ns = "onward-test-" + id;
        var group = $"t{id}.onward.dev";

        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("web"));
        await repo.WriteAsync("deploy/k8s/crd.yaml", $$"""
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: { name: widgets.{{group}} }
            spec:
              group: {{group}}
              scope: Namespaced
              names: { plural: widgets, singular: widget, kind: Widget }
              versions:
                - name: v1
                  served: true
                  storage: true
                  schema: { openAPIV3Schema: { type: object, properties: { spec: { type: object, properties: { size: { type: integer } } } } } }
            ---
            apiVersion: {{group}}/v1
            kind: Widget
            metadata: { name: front }
            spec: { size: 3 }
            """);
        var webDeployment = $$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: web }
            spec:
              replicas: 1
              selector: { matchLabels: { app: web } }
              template:
                metadata: { labels: { app: web } }
                spec: { containers: [ { name: app, image: "{{imageName}}" } ] }
            """;
        await repo.WriteAsync("deploy/k8s/web.yaml", webDeployment + "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\ndata: { mode: fast }\n");
        var first = await repo.CommitAsync("a CRD, a widget, settings and web");
        var environment = $"dev: {{ target: {{ kubernetes: {{ kubeconfig: \"{kubeconfig}\"{(string.IsNullOrEmpty(context) ? "" : $", context: \"{context}\"")}, namespace: {ns} }} }}, policy: {{ autoDeploy: main }} }}";
        var yaml = TestConfig.Yaml(Ports.Free(), [environment], [$$"""
              web:
                repository: {{repo.Path}}
                poll: 200ms
                build: { external: { image: {{imageName}} } }
                deploy: { manifests: deploy/k8s }
                verify: { timeout: 3m }
            """],
            // A registry on loopback (a kind cluster's local registry, or the tests' own) speaks plain HTTP.
            registryHost.StartsWith("127.0.0.1", StringComparison.Ordinal) || registryHost.StartsWith("localhost", StringComparison.Ordinal)
                ? $"registries: {{ \"{registryHost}\": {{ insecure: true }} }}"
                : "");
        try
        {
            await using var onward = await OnwardHost.StartAsync(dir.Path, yaml);
            var deployed = await ReleaseAndWaitAsync(onward, first, image);
            deployed.State.ShouldBe(DeploymentState.Succeeded, deployed.Reason + deployed.Diagnosis);
            deployed.Events.Transitions().Single(e => e.State == DeploymentState.Verifying).Message.ShouldStartWith($"applied 4 objects to {ns}: CustomResourceDefinition/widgets.{group}");
            var widget = (System.Text.Json.JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync(group, "v1", ns, "widgets", "front");
            widget.GetProperty("spec").GetProperty("size").GetInt32().ShouldBe(3);

            await repo.WriteAsync("deploy/k8s/web.yaml", webDeployment);
            var second = await repo.CommitAsync("no settings");
            var pruned = await ReleaseAndWaitAsync(onward, second, image);
            pruned.State.ShouldBe(DeploymentState.Succeeded, pruned.Reason + pruned.Diagnosis);
            pruned.Events.ShouldContain(e => e.Message == $"pruned ConfigMap/settings in {ns}: no longer in the manifests");
            (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items.ShouldNotContain(c => c.Metadata.Name == "settings");

            await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":2}}""", V1Patch.PatchType.MergePatch), "web", ns);
            var drift = await Eventually.WaitAsync(async () => (await onward.Api.ServiceAsync("web")).Environments.Single().Drift is { } d ? d : null,
                "the drift to be seen", RealClusterWait);
            drift.Differences.ShouldContain(d => d.Item == $"Deployment/web in {ns}" && d.Field == "spec.replicas" && d.Applied == "1" && d.Live == "2");
        }
        finally
        {
            await client.CoreV1.DeleteNamespaceAsync(ns);
            await client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync($"widgets.{group}");
        }
    }

    private static async Task<DeploymentResponse> ReleaseAndWaitAsync(OnwardHost onward, string commit, string image)
    {
        using var response = await onward.Api.Http.PostAsJsonAsync("api/v1/releases", new ReleaseRegistration("web", commit, null, image));
        response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync());
        var done = await Eventually.WaitAsync(async () => (await onward.Api.DeploymentsAsync("web", "dev"))
            .FirstOrDefault(d => d.Release.Commit == commit && d.State is DeploymentState.Succeeded or DeploymentState.Failed or DeploymentState.Blocked), $"the deployment of {commit[..7]}", RealClusterWait);
        return await onward.Api.DeploymentAsync(done.Id);
    }
}
