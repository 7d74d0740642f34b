using Onward.Contracts.Deployments;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Onward.Testing;
using Onward.Testing.Kubernetes;

namespace Onward.Server.Tests.Kubernetes;

/// <summary>
/// Issue 12: what real teams keep in their repositories, end to end on the simulated cluster: a Kustomize overlay per
/// environment, a chart rendered by a command, a CRD with its resources, objects that go away (prune), and changes
/// made by hand in the cluster (drift).
/// </summary>
public class TeamRepositoryTests
{
    private static string WebDeployment(string image, int replicas = 2, string name = "web") => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: {{name}} }
        spec:
          replicas: {{replicas}}
          selector: { matchLabels: { app: {{name}} } }
          template:
            metadata: { labels: { app: {{name}} } }
            spec:
              containers:
                - { name: app, image: "{{image}}:latest" }

        """;

    [Fact]
    public async Task A_kustomize_overlay_per_environment_gives_each_environment_its_own_objects_and_shows_what_was_applied()
    {
        await using var team = await TeamCluster.StartAsync();
        await team.Repo.WriteAsync("deploy/base/kustomization.yaml", "resources: [deployment.yaml, service.yaml]\n");
        await team.Repo.WriteAsync("deploy/base/deployment.yaml", WebDeployment(team.Image));
        await team.Repo.WriteAsync("deploy/base/service.yaml", "apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { selector: { app: web }, ports: [ { port: 80 } ] }\n");
        foreach (var (environment, replicas) in new[] { ("dev", 1), ("prod", 3) })
        {
            await team.Repo.WriteAsync($"deploy/overlays/{environment}/kustomization.yaml", $$"""
                resources: [../../base]
                replicas: [ { name: web, count: {{replicas}} } ]
                configMapGenerator:
                  - { name: web-settings, literals: [ "GREETING=hello from {{environment}}" ] }

                """);
        }
        var commit = await team.Repo.CommitAsync("overlays");
        await using var onward = await OnwardHost.StartAsync(team.Dir.Path, team.Yaml("{ manifests: \"deploy/overlays/{environment}\" }", ("dev", "shop-dev"), ("prod", "shop-prod")));

        await team.ReleaseAsync(onward, commit);
        var dev = await onward.Api.FinishedDeploymentAsync("web", "dev", commit);
        var prod = await onward.Api.FinishedDeploymentAsync("web", "prod", commit);

        dev.State.ShouldBe(DeploymentState.Succeeded, dev.Reason + dev.Diagnosis);
        prod.State.ShouldBe(DeploymentState.Succeeded, prod.Reason + prod.Diagnosis);
        var deployments = ResourceType.Of("deployments");
        team.Cluster.Store.Get(deployments, "shop-dev", "web")!["spec"]!["replicas"]!.GetValue<long>().ShouldBe(1);
        team.Cluster.Store.Get(deployments, "shop-prod", "web")!["spec"]!["replicas"]!.GetValue<long>().ShouldBe(3);
        var settings = team.Cluster.Store.List(ResourceType.Of("configmaps"), "shop-prod").Items.Single();
        settings["metadata"]!["name"]!.GetValue<string>().ShouldStartWith("web-settings-", customMessage: "Kustomize's generator names it with a hash");
        settings["data"]!["GREETING"]!.GetValue<string>().ShouldBe("hello from prod");
        team.Cluster.Store.Get(ResourceType.Of("namespaces"), null, "shop-dev")!["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]!.GetValue<string>()
            .ShouldBe("onward", "the environment's namespace did not exist, so Onward made it");
        var shown = await onward.Api.Http.GetAsync($"api/v1/deployments/{prod.Id}/manifests");
        shown.Content.Headers.ContentType!.MediaType.ShouldBe("application/yaml");
        var yaml = await shown.Content.ReadAsStringAsync();
        yaml.ShouldContain("kind: Deployment");
        yaml.ShouldContain("replicas: 3");
        yaml.ShouldContain($"image: {team.Image}@sha256:");
        yaml.ShouldContain("onward.dev/environment: prod");
        var cli = await OnwardCli.RunAsync(null, "deployments", "show", prod.Id.ToString(), "--manifests", "--server", onward.Config.Server.Listen.ToString());
        cli.ExitCode.ShouldBe(0, cli.Error);
        cli.Output.ShouldBe(yaml);
    }

    [Fact]
    public async Task A_chart_rendered_by_a_command_gets_the_environment_its_values_and_the_pinned_image()
    {
        await using var team = await TeamCluster.StartAsync();
        // Stands in for `helm template`: any command that prints manifests, run in a clean checkout of the release.
        await team.Repo.WriteAsync("chart/render.sh", """
            #!/bin/sh
            set -eu
            replicas=$(cat "chart/values-$1.yaml")
            cat <<EOF
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: shop
              annotations: { chart.example/version: "$ONWARD_VERSION", chart.example/namespace: "$3" }
            spec:
              replicas: $replicas
              selector: { matchLabels: { app: shop } }
              template:
                metadata: { labels: { app: shop } }
                spec: { containers: [ { name: app, image: "$2" } ] }
            EOF

            """);
        await team.Repo.WriteAsync("chart/values-dev.yaml", "1\n");
        await team.Repo.WriteAsync("chart/values-prod.yaml", "2\n");
        var commit = await team.Repo.CommitAsync("chart");
        await using var onward = await OnwardHost.StartAsync(team.Dir.Path,
            team.Yaml("{ render: { command: \"sh chart/render.sh {environment} {image} {namespace}\" } }", ("dev", "shop-dev"), ("prod", "shop-prod")));

        await team.ReleaseAsync(onward, commit);
        var prod = await onward.Api.FinishedDeploymentAsync("web", "prod", commit);

        prod.State.ShouldBe(DeploymentState.Succeeded, prod.Reason + prod.Diagnosis);
        var release = (await onward.Api.ReleasesAsync("web")).Single(r => r.Commit == commit);
        var applied = team.Cluster.Store.Get(ResourceType.Of("deployments"), "shop-prod", "shop")!;
        applied["spec"]!["replicas"]!.GetValue<long>().ShouldBe(2);
        applied["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>().ShouldBe($"{team.Image}@{release.Digest}");
        applied["metadata"]!["annotations"]!["chart.example/version"]!.GetValue<string>().ShouldBe(commit[..7]);
        applied["metadata"]!["annotations"]!["chart.example/namespace"]!.GetValue<string>().ShouldBe("shop-prod");
        (await onward.Api.FinishedDeploymentAsync("web", "dev", commit)).State.ShouldBe(DeploymentState.Succeeded);
        team.Cluster.Store.Get(ResourceType.Of("deployments"), "shop-dev", "shop")!["spec"]!["replicas"]!.GetValue<long>().ShouldBe(1);
    }

    [Fact]
    public async Task A_crd_and_its_resources_in_one_release_are_applied_in_order_and_an_unknown_kind_fails_before_anything_is_applied()
    {
        await using var team = await TeamCluster.StartAsync();
        await team.Repo.WriteAsync("deploy/k8s/a-widget.yaml", """
            apiVersion: example.com/v1
            kind: Widget
            metadata: { name: front }
            spec: { size: 3 }
            ---
            apiVersion: example.com/v1
            kind: Gadget
            metadata: { name: everywhere }
            spec: { shiny: true }
            """);
        await team.Repo.WriteAsync("deploy/k8s/crds.yaml", """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: { name: widgets.example.com }
            spec:
              group: example.com
              scope: Namespaced
              names: { plural: widgets, singular: widget, kind: Widget }
              versions:
                - name: v1
                  served: true
                  storage: true
                  schema: { openAPIV3Schema: { type: object, properties: { spec: { type: object, properties: { size: { type: integer } } } } } }
            ---
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: { name: gadgets.example.com }
            spec:
              group: example.com
              scope: Cluster
              names: { plural: gadgets, singular: gadget, kind: Gadget }
              versions:
                - name: v1
                  served: true
                  storage: true
                  schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
            """);
        await team.Repo.WriteAsync("deploy/k8s/web.yaml", WebDeployment(team.Image));
        var commit = await team.Repo.CommitAsync("a CRD and its resources");
        await using var onward = await OnwardHost.StartAsync(team.Dir.Path, team.Yaml("{ manifests: deploy/k8s }", ("dev", "shop")));

        await team.ReleaseAsync(onward, commit);
        var deployed = await onward.Api.FinishedDeploymentAsync("web", "dev", commit);

        deployed.State.ShouldBe(DeploymentState.Succeeded, deployed.Reason + deployed.Diagnosis);
        var applied = deployed.Events.Transitions().Single(e => e.State == DeploymentState.Verifying).Message;
        applied.ShouldStartWith("applied 5 objects to shop: CustomResourceDefinition/widgets.example.com, CustomResourceDefinition/gadgets.example.com, Deployment/web, Widget/front, Gadget/everywhere");
        var widgets = team.Cluster.Resources.Find("example.com", "v1", "widgets")!;
        team.Cluster.Store.Get(widgets, "shop", "front")!["spec"]!["size"]!.GetValue<long>().ShouldBe(3);
        team.Cluster.Store.Get(team.Cluster.Resources.Find("example.com", "v1", "gadgets")!, null, "everywhere").ShouldNotBeNull("a cluster-scoped custom resource");
        deployed.Events[^1].Message.ShouldBe("verified: deployment \"web\" successfully rolled out; 4 other objects are current");

        await team.Repo.WriteAsync("deploy/k8s/monitor.yaml", """
            apiVersion: monitoring.coreos.com/v1
            kind: ServiceMonitor
            metadata: { name: web }
            spec: { endpoints: [ { port: http } ] }
            """);
        await team.Repo.WriteAsync("deploy/k8s/web.yaml", WebDeployment(team.Image, replicas: 3));
        var unknown = await team.Repo.CommitAsync("a ServiceMonitor, whose CRD the cluster lacks");
        await team.ReleaseAsync(onward, unknown);
        var failed = await onward.Api.FinishedDeploymentAsync("web", "dev", unknown);

        failed.State.ShouldBe(DeploymentState.Failed);
        failed.Reason.ShouldBe("invalid manifests, nothing was applied: deploy/k8s/monitor.yaml (document 1): the cluster does not know kind ServiceMonitor (monitoring.coreos.com/v1): " +
            "the cluster serves no API group monitoring.coreos.com; install the CRD that defines it first, or add it to the manifests");
        team.Cluster.Store.Get(ResourceType.Of("deployments"), "shop", "web")!["spec"]!["replicas"]!.GetValue<long>().ShouldBe(2, "nothing of the release was applied");
    }

    [Fact]
    public async Task Prune_deletes_what_the_previous_release_applied_and_the_new_one_dropped_but_only_objects_carrying_onwards_labels()
    {
        await using var team = await TeamCluster.StartAsync();
        var kept = await GitRepository.InitAsync(team.Dir.Combine("kept"));
        foreach (var (repo, prefix) in new[] { (team.Repo, ""), (kept, "kept-") })
        {
            await repo.WriteAsync("deploy/k8s/web.yaml", WebDeployment(team.Image, name: prefix + "web"));
            await repo.WriteAsync("deploy/k8s/worker.yaml", WebDeployment(team.Image, name: prefix + "worker"));
            await repo.WriteAsync("deploy/k8s/settings.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata: { name: PREFIXsettings }
                data: { mode: fast }
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: { name: PREFIXhanded-over }
                data: { owner: onward }
                ---
                apiVersion: v1
                kind: Namespace
                metadata: { name: PREFIXscratch }
                """.Replace("PREFIX", prefix.Length == 0 ? "web-" : prefix, StringComparison.Ordinal).Replace("web-settings", "settings", StringComparison.Ordinal).Replace("web-handed-over", "handed-over", StringComparison.Ordinal));
        }
        var first = await team.Repo.CommitAsync("web with a worker");
        var firstKept = await kept.CommitAsync("web with a worker");
        await using var onward = await OnwardHost.StartAsync(team.Dir.Path, team.Yaml(
            [("web", team.Repo.Path, "{ manifests: deploy/k8s }"), ("kept", kept.Path, "{ manifests: deploy/k8s, prune: false }")],
            ("dev", "shop")));
        await team.ReleaseAsync(onward, first);
        await team.ReleaseAsync(onward, firstKept, "kept");
        (await onward.Api.FinishedDeploymentAsync("web", "dev", first)).State.ShouldBe(DeploymentState.Succeeded);
        (await onward.Api.FinishedDeploymentAsync("kept", "dev", firstKept)).State.ShouldBe(DeploymentState.Succeeded);
        // Someone takes the ConfigMap over by hand: it no longer carries Onward's labels.
        await team.PatchAsync("/api/v1/namespaces/shop/configmaps/handed-over", """{"metadata":{"labels":{"onward.dev/service":null,"onward.dev/environment":null}}}""");

        foreach (var repo in new[] { team.Repo, kept })
        {
            await repo.RunAsync("rm", "-q", "deploy/k8s/worker.yaml", "deploy/k8s/settings.yaml");
        }
        var second = await team.Repo.CommitAsync("no worker, no settings");
        var secondKept = await kept.CommitAsync("no worker, no settings");
        await team.ReleaseAsync(onward, second);
        await team.ReleaseAsync(onward, secondKept, "kept");
        var pruned = await onward.Api.FinishedDeploymentAsync("web", "dev", second);
        var notPruned = await onward.Api.FinishedDeploymentAsync("kept", "dev", secondKept);

        pruned.State.ShouldBe(DeploymentState.Succeeded, pruned.Reason + pruned.Diagnosis);
        var messages = pruned.Events.Select(e => e.Message).ToList();
        messages.ShouldContain("pruned ConfigMap/settings in shop: no longer in the manifests");
        messages.ShouldContain("pruned Deployment/worker in shop: no longer in the manifests");
        messages.ShouldContain("not pruned ConfigMap/handed-over in shop: it no longer carries Onward's labels for web in dev");
        messages.ShouldContain("not pruned Namespace/web-scratch: a Namespace is deleted only when annotated onward.dev/prune: \"true\"");
        var store = team.Cluster.Store;
        store.Get(ResourceType.Of("deployments"), "shop", "worker").ShouldBeNull();
        await Eventually.WaitAsync(() => Task.FromResult(!store.List(ResourceType.Of("pods"), "shop").Items.Any(p => p["metadata"]!["name"]!.GetValue<string>().StartsWith("worker-", StringComparison.Ordinal))),
            "the worker's pods to be garbage-collected");
        store.Get(ResourceType.Of("configmaps"), "shop", "settings").ShouldBeNull();
        store.Get(ResourceType.Of("configmaps"), "shop", "handed-over").ShouldNotBeNull();
        store.Get(ResourceType.Of("namespaces"), null, "web-scratch").ShouldNotBeNull();
        store.Get(ResourceType.Of("deployments"), "shop", "web").ShouldNotBeNull();
        notPruned.Events.ShouldNotContain(e => e.Message.Contains("pruned", StringComparison.Ordinal));
        store.Get(ResourceType.Of("deployments"), "shop", "kept-worker").ShouldNotBeNull("prune: false keeps everything");
        store.Get(ResourceType.Of("configmaps"), "shop", "kept-settings").ShouldNotBeNull();
    }

    [Fact]
    public async Task Drift_is_found_from_the_watches_shown_and_repaired_when_self_heal_is_on()
    {
        await using var team = await TeamCluster.StartAsync();
        var healed = await GitRepository.InitAsync(team.Dir.Combine("healed"));
        foreach (var (repo, name) in new[] { (team.Repo, "web"), (healed, "api") })
        {
            await repo.WriteAsync("deploy/k8s/app.yaml", WebDeployment(team.Image, name: name) + $"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{ name: {name}-settings }}\ndata: {{ mode: fast }}\n");
        }
        var web = await team.Repo.CommitAsync();
        var api = await healed.CommitAsync();
        await using var onward = await OnwardHost.StartAsync(team.Dir.Path, team.Yaml(
            [("web", team.Repo.Path, "{ manifests: deploy/k8s }"), ("api", healed.Path, "{ manifests: deploy/k8s, selfHeal: true }")],
            ("dev", "shop")));
        await team.ReleaseAsync(onward, web);
        await team.ReleaseAsync(onward, api, "api");
        var current = await onward.Api.FinishedDeploymentAsync("web", "dev", web);
        var currentApi = await onward.Api.FinishedDeploymentAsync("api", "dev", api);
        current.State.ShouldBe(DeploymentState.Succeeded);
        currentApi.State.ShouldBe(DeploymentState.Succeeded);

        await team.PatchAsync("/apis/apps/v1/namespaces/shop/deployments/web", """{"spec":{"replicas":5}}""");
        using (var http = new HttpClient { BaseAddress = new Uri(team.Cluster.Url) })
        {
            (await http.DeleteAsync("/api/v1/namespaces/shop/configmaps/web-settings")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        var drift = await Eventually.WaitAsync(async () => (await onward.Api.ServiceAsync("web")).Environments.Single().Drift is { Count: 2 } d ? d : null, "the drift to be seen");

        drift.DeploymentId.ShouldBe(current.Id);
        drift.Differences.Select(d => (d.Item, d.Field, d.Applied, d.Live)).ShouldBe(
            [("Deployment/web in shop", "spec.replicas", "2", "5"), ("ConfigMap/web-settings in shop", null, null, null)], ignoreOrder: true);
        // The drift is stored before its event is appended.
        var shown = await Eventually.WaitAsync(async () => await onward.Api.DeploymentAsync(current.Id) is var d
            && d.Events[^1].Message.StartsWith("drift: 2 differences from what was applied: ", StringComparison.Ordinal) ? d : null, "the drift's event");
        shown.Drift!.Count.ShouldBe(2);
        var list = await OnwardCli.RunAsync(null, "services", "list", "--server", onward.Config.Server.Listen.ToString());
        list.Output.ShouldContain("drifted (2)");
        var show = await OnwardCli.RunAsync(null, "deployments", "show", current.Id.ToString(), "--server", onward.Config.Server.Listen.ToString());
        show.Output.ShouldContain("Deployment/web in shop: spec.replicas is 5, applied 2");
        show.Output.ShouldContain("ConfigMap/web-settings in shop: deleted");
        team.Cluster.Store.Get(ResourceType.Of("deployments"), "shop", "web")!["spec"]!["replicas"]!.GetValue<long>().ShouldBe(5, "without selfHeal, drift is only reported");

        await team.PatchAsync("/apis/apps/v1/namespaces/shop/deployments/api", """{"spec":{"replicas":4}}""");
        var repaired = await Eventually.WaitAsync(async () => (await onward.Api.DeploymentAsync(currentApi.Id)) is var d
            && d.Events.Any(e => e.Message.StartsWith("self-heal: ", StringComparison.Ordinal))
            && team.Cluster.Store.Get(ResourceType.Of("deployments"), "shop", "api")!["spec"]!["replicas"]!.GetValue<long>() == 2 ? d : null, "the drift to be repaired");
        repaired.Events.ShouldContain(e => e.Message == "drift: 1 difference from what was applied: Deployment/api in shop: spec.replicas is 4, applied 2");
        var healedNote = $"self-heal: applied {api[..7]} again (2 objects)";
        repaired.Events.ShouldContain(e => e.Message == healedNote);
        await Eventually.WaitAsync(async () => (await onward.Api.ServiceAsync("api")).Environments.Single().Drift is null, "the drift record to clear once the cluster matches again");
    }

    [Fact]
    public async Task Bad_manifests_fail_before_anything_is_applied_with_the_reason_and_the_previous_release_stays()
    {
        await using var team = await TeamCluster.StartAsync();
        team.Cluster.Admission = (type, item) => type.Kind == "ConfigMap" && item["data"]?["forbidden"] is not null ? "the key `forbidden` is not allowed here" : null;
        await team.Repo.WriteAsync("deploy/render.sh", "cat deploy/web.yaml\n");
        await team.Repo.WriteAsync("deploy/web.yaml", WebDeployment(team.Image));
        var good = await team.Repo.CommitAsync("good");
        await using var onward = await OnwardHost.StartAsync(team.Dir.Path, team.Yaml("{ render: { command: \"sh deploy/render.sh\" } }", ("dev", "shop")));
        await team.ReleaseAsync(onward, good);
        (await onward.Api.FinishedDeploymentAsync("web", "dev", good)).State.ShouldBe(DeploymentState.Succeeded);
        var valid = WebDeployment(team.Image, replicas: 3);

        var cases = new (string Render, string Manifest, string Reason)[]
        {
            ("echo 'chart not found' >&2; exit 3", valid, "invalid manifests, nothing was applied: the render command exited with 3:\nchart not found"),
            ("true", valid, "invalid manifests, nothing was applied: the render command printed no objects"),
            ("echo 'kind: [unclosed'", valid, "invalid manifests, nothing was applied: the render command: not valid YAML: "),
            ("cat deploy/web.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: { a: b }\n", "invalid manifests, nothing was applied: the render command (document 1): every object needs `apiVersion`, `kind` and `metadata.name`; this one has no `metadata.name`"),
            ("cat deploy/web.yaml deploy/web.yaml", valid + "---\n", "invalid manifests, nothing was applied: the render command (document 2): Deployment/web in shop is already in the render command (document 1); each object may appear once"),
            ("cat deploy/web.yaml", valid + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: web-settings }\ndata: { forbidden: \"1\" }\n",
                "applying ConfigMap/web-settings in shop failed: 400 admission webhook \"policy.test.onward.dev\" denied the request: the key `forbidden` is not allowed here (from the render command (document 2))"),
            ("cat deploy/web.yaml", valid.Replace("labels: { app: web }", "labels: { app: other }", StringComparison.Ordinal),
                "applying Deployment/web in shop failed: 422 Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\""),
        };
        foreach (var (render, manifest, reason) in cases)
        {
            await team.Repo.WriteAsync("deploy/render.sh", render + "\n");
            await team.Repo.WriteAsync("deploy/web.yaml", manifest);
            var commit = await team.Repo.CommitAsync(render);
            await team.ReleaseAsync(onward, commit);
            var failed = await onward.Api.FinishedDeploymentAsync("web", "dev", commit);

            failed.State.ShouldBe(DeploymentState.Failed, render);
            failed.Reason.ShouldStartWith(reason, customMessage: render);
            (await onward.Api.ServiceAsync("web")).Environments.Single().Current!.Commit.ShouldBe(good, render);
            team.Cluster.Store.Get(ResourceType.Of("deployments"), "shop", "web")!["spec"]!["replicas"]!.GetValue<long>().ShouldBe(2, render);
        }
    }
}
