using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Onward.Contracts.Deployments;
using Onward.Server.Tests.Kubernetes;
using Onward.Testing;
using Onward.Testing.Kubernetes;

namespace Onward.Server.Tests.Canaries;

/// <summary>Issue 27 on the simulated cluster: an HTTPRoute's weights carry the canary, are never drift, and go back on failure.</summary>
public class KubernetesCanaryTests
{
    private const string RouteDefinition = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: { name: httproutes.gateway.networking.k8s.io }
        spec:
          group: gateway.networking.k8s.io
          scope: Namespaced
          names: { plural: httproutes, singular: httproute, kind: HTTPRoute }
          versions:
            - name: v1
              served: true
              storage: true
              schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: { name: web }
        spec:
          parentRefs: [ { name: public, namespace: gateways } ]
          rules:
            - backendRefs: [ { name: web, port: 80 } ]

        """;

    [Fact]
    public async Task The_routes_weights_go_90_10_then_50_50_then_back_to_the_release_are_never_drift_and_go_back_at_once_when_the_canary_is_aborted()
    {
        await using var team = await TeamCluster.StartAsync();
        await team.Repo.WriteAsync("deploy/k8s/route.yaml", RouteDefinition);
        await team.Repo.WriteAsync("deploy/k8s/web.yaml", WebManifest.Deployment(team.Image + ":latest"));
        await team.Repo.WriteAsync("deploy/k8s/service.yaml", "apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { selector: { app: web }, ports: [ { port: 80 } ] }\n");
        var first = await team.Repo.CommitAsync("web behind a route");
        var port = Ports.Free();
        await using var prometheus = await PrometheusServer.StartAsync(new Uri($"http://127.0.0.1:{port}"));
        var canary = $"canary: {{ steps: [ {{ weight: 10, pause: 2s }}, {{ weight: 50, pause: 4s }} ], kubernetes: {{ route: web }}, "
            + $"analysis: {{ prometheus: \"{prometheus.Url}\", interval: 1s, metrics: [ {{ name: errors, query: 'vector(0)', max: 0.5 }} ] }} }}";
        var yaml = TestConfig.Yaml(port,
            [$"prod: {{ target: {{ kubernetes: {{ server: \"{team.Cluster.Url}\", namespace: shop }} }}, policy: {{ autoDeploy: main, {canary} }} }}"],
            [$$"""
                  web:
                    repository: {{team.Repo.Path}}
                    poll: 200ms
                    build: { external: { image: {{team.Image}} } }
                    deploy: { manifests: deploy/k8s }
                    verify: { timeout: 30s }
                """],
            $"registries: {{ \"{team.Registry.Host}\": {{ insecure: true }} }}");
        await using var onward = await OnwardHost.StartAsync(team.Dir.Path, yaml);
        await team.ReleaseAsync(onward, first);
        var deployed = await onward.Api.FinishedDeploymentAsync("web", "prod", first);
        deployed.State.ShouldBe(DeploymentState.Succeeded, deployed.Reason + deployed.Diagnosis);
        deployed.Canary.ShouldBeNull();
        var routes = team.Cluster.Resources.Find("gateway.networking.k8s.io", "v1", "httproutes")!;
        var seen = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var watching = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var now = Weights(team.Cluster.Store.Get(routes, "shop", "web"));
                if (seen.LastOrDefault() != now)
                {
                    seen.Enqueue(now);
                }
                await Task.Delay(10);
            }
        });

        var second = await team.Repo.CommitAsync("second");
        await team.ReleaseAsync(onward, second);
        var verifying = await Eventually.WaitAsync(async () => (await onward.Api.DeploymentsAsync("web", "prod")).FirstOrDefault(d => d.Release.Commit == second && d.State == DeploymentState.Verifying),
            "the second release to verify");
        await Eventually.WaitAsync(async () => (await onward.Api.DeploymentAsync(verifying.Id)).Canary?.Weight == 50, "the canary at 50%");
        team.Cluster.Store.Get(ResourceType.Of("deployments"), "shop", "web-canary")!["spec"]!["template"]!["metadata"]!["labels"]!["app"]!.GetValue<string>()
            .ShouldBe("web-canary", "the running Service (app: web) never selects the canary's Pods");
        team.Cluster.Store.Get(ResourceType.Of("services"), "shop", "web-canary")!["spec"]!["selector"]!["app"]!.GetValue<string>().ShouldBe("web-canary");
        await Task.Delay(1500);
        var drift = (await onward.Api.ServiceAsync("web")).Environments.Single().Drift;
        drift.ShouldBeNull("the weights are Onward's while the canary runs: " + string.Join("; ", drift?.Differences.Select(d => $"{d.Item} {d.Field} {d.Applied} {d.Live}") ?? []));
        var done = await onward.Api.FinishedAsync(verifying.Id);
        done.State.ShouldBe(DeploymentState.Succeeded, done.Reason + done.Diagnosis);
        await Task.Delay(300);

        seen.ShouldBe(["web", "web 90, web-canary 10", "web 50, web-canary 50", "web 0, web-canary 100", "web"]);
        var shown = await OnwardCli.RunAsync(null, "deployments", "show", done.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--server", onward.Config.Server.Listen.ToString());
        shown.ExitCode.ShouldBe(0, shown.Error);
        shown.Output.ShouldContain("canary     promoted: 10% 2s → 50% 4s → 100%");
        shown.Output.ShouldContain("errors");
        team.Cluster.Store.Get(ResourceType.Of("deployments"), "shop", "web-canary").ShouldBeNull();
        team.Cluster.Store.Get(ResourceType.Of("services"), "shop", "web-canary").ShouldBeNull();
        team.Cluster.Store.Get(ResourceType.Of("deployments"), "shop", "web")!["metadata"]!["annotations"]!["onward.dev/deployment-id"]!.GetValue<string>()
            .ShouldBe(done.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "the release itself was applied at 100 %");
        drift = (await onward.Api.ServiceAsync("web")).Environments.Single().Drift;
        drift.ShouldBeNull(string.Join("; ", drift?.Differences.Select(d => $"{d.Item} {d.Field} {d.Applied} {d.Live}") ?? []));

        seen.Clear();
        var third = await team.Repo.CommitAsync("third");
        await team.ReleaseAsync(onward, third);
        var aborting = await Eventually.WaitAsync(async () => (await onward.Api.DeploymentsAsync("web", "prod")).FirstOrDefault(d => d.Release.Commit == third && d.State == DeploymentState.Verifying),
            "the third release to verify");
        await Eventually.WaitAsync(async () => (await onward.Api.DeploymentAsync(aborting.Id)).Canary?.Weight == 10, "the canary at 10%");
        var (status, problem, _) = await onward.Api.PostAsync<DeploymentResponse>($"api/v1/deployments/{aborting.Id}/canary/abort", null);
        status.ShouldBe(HttpStatusCode.OK, problem?.Detail);
        var aborted = await onward.Api.FinishedAsync(aborting.Id);
        await stop.CancelAsync();
        await watching;

        aborted.State.ShouldBe(DeploymentState.Failed);
        aborted.Reason.ShouldStartWith("canary aborted by ");
        seen.ToList().ShouldBe(["web", "web 90, web-canary 10", "web"]);
        team.Cluster.Store.Get(ResourceType.Of("deployments"), "shop", "web-canary").ShouldBeNull();
        team.Cluster.Store.Get(ResourceType.Of("deployments"), "shop", "web")!["metadata"]!["annotations"]!["onward.dev/deployment-id"]!.GetValue<string>()
            .ShouldBe(done.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "the running release was never touched");
    }

    /// <summary>The route's backendRefs as "name weight, …" (just the names where no weight is set).</summary>
    private static string Weights(JsonObject? route) =>
        string.Join(", ", (route?["spec"]?["rules"]?[0]?["backendRefs"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(b => b["weight"] is JsonValue w ? $"{b["name"]} {w}" : $"{b["name"]}"));
}
