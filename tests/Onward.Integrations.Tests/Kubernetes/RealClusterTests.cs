using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Onward.Core.Kubernetes;
using Onward.Integrations.Kubernetes;
using Onward.Testing;

namespace Onward.Integrations.Tests.Kubernetes;

/// <summary>
/// The same apply and watch code against a real cluster, when one is at hand: set ONWARD_TEST_KUBECONFIG (and
/// optionally ONWARD_TEST_CONTEXT) and ONWARD_TEST_IMAGE, an image the cluster can pull that serves on any port or
/// none (a pause image will do). Skipped otherwise; the API test server stands in for it on machines without one.
/// </summary>
public class RealClusterTests
{
    [Fact]
    public async Task A_deployment_applied_with_server_side_apply_is_verified_by_watching_a_real_cluster()
    {
        var kubeconfig = Environment.GetEnvironmentVariable("ONWARD_TEST_KUBECONFIG");
        var image = Environment.GetEnvironmentVariable("ONWARD_TEST_IMAGE");
        Assert.SkipWhen(string.IsNullOrEmpty(kubeconfig) || string.IsNullOrEmpty(image), "set ONWARD_TEST_KUBECONFIG and ONWARD_TEST_IMAGE to run against a real cluster");
        using var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, Environment.GetEnvironmentVariable("ONWARD_TEST_CONTEXT")));
        var ns = "onward-test-" + Guid.NewGuid().ToString("N")[..8];
        var namespaceObject = new RenderedObject(ResourceMapping.Namespaces, null, ns,
            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        var container = new JsonObject { ["name"] = "app", ["image"] = image };
        var labels = new JsonObject { ["app"] = "web", ["onward.dev/environment"] = "real" };
        var deployment = new RenderedObject(new ResourceMapping("apps", "v1", "deployments", "Deployment", true), ns, "web", new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = ns, ["labels"] = new JsonObject { ["onward.dev/environment"] = "real" } },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 1,
                ["selector"] = new JsonObject { ["matchLabels"] = labels.DeepClone() },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = labels },
                    ["spec"] = new JsonObject { ["containers"] = new JsonArray(container) },
                },
            },
        });
        try
        {
            (await KubernetesRequests.ApplyAsync(client, namespaceObject, CancellationToken.None)).Ok.ShouldBeTrue();
            var (ok, detail) = await KubernetesRequests.ApplyAsync(client, deployment, CancellationToken.None);
            ok.ShouldBeTrue(detail);
            await using var cache = new ClusterCache(client, NullLogger.Instance);
            foreach (var kind in new[] { deployment.Kind, ResourceMapping.ReplicaSets, ResourceMapping.Pods })
            {
                cache.Watch(kind, ns);
            }

            var report = await Eventually.WaitAsync(() =>
            {
                if (cache.Get(deployment.Kind, ns, "web") is not { } live)
                {
                    return Task.FromResult<HealthReport?>(null);
                }
                var items = new JsonArray(new[] { live }.Concat(cache.List(ResourceMapping.ReplicaSets, ns)).Concat(cache.List(ResourceMapping.Pods, ns)).Select(o => (JsonNode)o.DeepClone()).ToArray());
                var verdict = WorkloadHealth.Evaluate(new JsonObject { ["kind"] = "List", ["items"] = items }, DateTimeOffset.UtcNow);
                return Task.FromResult(verdict.Done ? verdict : null);
            }, "the rollout on the real cluster", TimeSpan.FromMinutes(3));

            report.Status.ShouldBe(HealthStatus.Healthy, report.Message);
        }
        finally
        {
            await client.CoreV1.DeleteNamespaceAsync(ns);
        }
    }
}
