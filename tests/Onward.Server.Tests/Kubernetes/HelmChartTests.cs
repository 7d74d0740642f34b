using Onward.Contracts.Deployments;
using Onward.Testing;
using Onward.Testing.Kubernetes;

namespace Onward.Server.Tests.Kubernetes;

/// <summary>Issue 25: a Helm chart in the service's repository, rendered per environment with its values, set values and the cluster's capabilities.</summary>
public class HelmChartTests
{
    private static readonly ResourceType Deployments = ResourceType.Known.First(t => t.Plural == "deployments");
    private static readonly ResourceType ConfigMaps = ResourceType.Known.First(t => t.Plural == "configmaps");
    private static readonly ResourceType Jobs = ResourceType.Known.First(t => t.Plural == "jobs");
    private static readonly ResourceType Pods = ResourceType.Known.First(t => t.Plural == "pods");

    private const string Chart = """
        apiVersion: v2
        name: web
        version: 0.1.0
        """;

    private const string Values = """
        replicas: 1
        greeting: Hello
        image: { repository: nowhere, digest: "" }
        """;

    private const string Templates = """
        apiVersion: v1
        kind: ConfigMap
        metadata: { name: web-config }
        data:
          GREETING: {{ .Values.greeting | quote }}
          RELEASE: {{ .Release.Name | quote }}
          KUBE: {{ .Capabilities.KubeVersion.Version | quote }}
          {{- if .Capabilities.APIVersions.Has "networking.k8s.io/v1/Ingress" }}
          INGRESS: "served"
          {{- end }}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web }
        spec:
          replicas: {{ .Values.replicas }}
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec:
              containers:
                - name: app
                  image: "{{ .Values.image.repository }}@{{ .Values.image.digest }}"
        """;

    private const string Deploy = """{ helm: { chart: ./chart, values: [deploy/values.yaml, "deploy/values-{environment}.yaml", { file: "deploy/extra-{environment}.yaml", optional: true }], set: { image.repository: "{image.repository}", image.digest: "{image.digest}", greeting: "Hello from {environment}, {version}" } } }""";

    [Fact]
    public async Task A_chart_in_the_repository_renders_per_environment_with_its_values_files_set_values_and_the_clusters_capabilities()
    {
        Environment.SetEnvironmentVariable("ONWARD_HELM", Paths.Helm);
        await using var team = await TeamCluster.StartAsync();
        await team.Repo.WriteAsync("chart/Chart.yaml", Chart);
        await team.Repo.WriteAsync("chart/values.yaml", Values);
        await team.Repo.WriteAsync("chart/templates/web.yaml", Templates);
        await team.Repo.WriteAsync("deploy/values.yaml", "replicas: 2\n");
        await team.Repo.WriteAsync("deploy/values-prod.yaml", "replicas: 3\n");
        await team.Repo.WriteAsync("deploy/values-dev.yaml", "{}\n");
        var first = await team.Repo.CommitAsync("a chart");
        await using var onward = await OnwardHost.StartAsync(team.Dir.Path, team.Yaml(Deploy, ("dev", "shop"), ("prod", "shop-prod")));

        await team.ReleaseAsync(onward, first);

        var release = await onward.Api.BuiltReleaseAsync("web", first);
        foreach (var (environment, ns, replicas) in new[] { ("dev", "shop", 2), ("prod", "shop-prod", 3) })
        {
            var deployment = await onward.Api.FinishedDeploymentAsync("web", environment, first);
            deployment.State.ShouldBe(DeploymentState.Succeeded, deployment.Reason + deployment.Diagnosis);
            var applied = team.Cluster.Store.Get(Deployments, ns, "web")!;
            applied["spec"]!["replicas"]!.GetValue<int>().ShouldBe(replicas, "the environment's values file wins over the common one");
            applied["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>().ShouldBe($"{team.Image}@{release.Digest}");
            var config = team.Cluster.Store.Get(ConfigMaps, ns, "web-config")!["data"]!;
            config["GREETING"]!.GetValue<string>().ShouldBe($"Hello from {environment}, {first[..7]}");
            config["RELEASE"]!.GetValue<string>().ShouldBe("web");
            config["KUBE"]!.GetValue<string>().ShouldBe("v1.32.0", "the cluster's version, from its discovery");
            config["INGRESS"]!.GetValue<string>().ShouldBe("served", "the cluster's API versions, from its discovery");
        }

        // A values file that is gone (and not optional) fails the deployment before anything is applied.
        await team.Repo.RunAsync("rm", "deploy/values-prod.yaml");
        var second = await team.Repo.CommitAsync("lose the prod values");
        await team.ReleaseAsync(onward, second);
        var failed = await onward.Api.FinishedDeploymentAsync("web", "prod", second);
        failed.State.ShouldBe(DeploymentState.Failed);
        failed.Reason.ShouldNotBeNull().ShouldContain("the values file deploy/values-prod.yaml is not in the repository at " + second[..7]);
        (await onward.Api.FinishedDeploymentAsync("web", "dev", second)).State.ShouldBe(DeploymentState.Succeeded, "dev has its own values file");
        var inDev = await onward.Api.BuiltReleaseAsync("web", second);

        // A chart whose template fails says helm's own words.
        await team.Repo.WriteAsync("deploy/values-prod.yaml", "replicas: 3\n");
        await team.Repo.WriteAsync("chart/templates/broken.yaml", "{{ fail \"the chart needs a database URL\" }}\n");
        var third = await team.Repo.CommitAsync("a template that fails");
        await team.ReleaseAsync(onward, third);
        var broken = await onward.Api.FinishedDeploymentAsync("web", "dev", third);
        broken.State.ShouldBe(DeploymentState.Failed);
        broken.Reason.ShouldNotBeNull().ShouldContain("the chart needs a database URL");
        team.Cluster.Store.Get(Deployments, "shop", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>()
            .ShouldBe($"{team.Image}@{inDev.Digest}", "nothing of the failed render was applied");
    }

    private const string HookTemplates = """
        apiVersion: v1
        kind: ConfigMap
        metadata: { name: web-config }
        data: { RELEASE: {{ .Release.Name | quote }} }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web }
        spec:
          replicas: 1
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: app, image: "{{ .Values.image }}" }]
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: hook-config
          annotations: { "helm.sh/hook": pre-install, "helm.sh/hook-weight": "-10" }
        data: { FIRST: "yes" }
        ---
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: migrate
          annotations: { "helm.sh/hook": "pre-install,pre-upgrade", "helm.sh/hook-weight": "-5", "helm.sh/hook-delete-policy": "hook-succeeded,hook-failed" }
        spec:
          backoffLimit: 0
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: migrate
                  image: "{{ .Values.image }}"
                  env:
                    - { name: ONWARD_TEST_RUN_MS, value: "300" }
                    {{- if .Values.failMigration }}
                    - { name: ONWARD_TEST_EXIT_CODE, value: "3" }
                    {{- end }}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: seed
          annotations: { "helm.sh/hook": pre-install }
        spec:
          template:
            spec:
              restartPolicy: Never
              containers: [{ name: seed, image: "{{ .Values.image }}", env: [{ name: ONWARD_TEST_RUN_MS, value: "100" }] }]
        ---
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: smoke
          annotations: { "helm.sh/hook": "post-install,post-upgrade" }
        spec:
          template:
            spec:
              restartPolicy: Never
              containers: [{ name: smoke, image: "{{ .Values.image }}", env: [{ name: ONWARD_TEST_RUN_MS, value: "100" }] }]
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: cleanup
          annotations: { "helm.sh/hook": pre-delete }
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-test
          annotations: { "helm.sh/hook": test }
        spec:
          containers: [{ name: test, image: "{{ .Values.image }}" }]
        """;

    [Fact]
    public async Task Hooks_run_at_their_events_in_weight_order_with_their_delete_policies_and_a_failing_one_stops_the_release()
    {
        Environment.SetEnvironmentVariable("ONWARD_HELM", Paths.Helm);
        await using var team = await TeamCluster.StartAsync();
        await team.Repo.WriteAsync("chart/Chart.yaml", Chart);
        await team.Repo.WriteAsync("chart/values.yaml", "image: nowhere\nfailMigration: false\n");
        await team.Repo.WriteAsync("chart/templates/web.yaml", HookTemplates);
        var first = await team.Repo.CommitAsync("a chart with hooks");
        await using var onward = await OnwardHost.StartAsync(team.Dir.Path, team.Yaml("""{ helm: { chart: ./chart, set: { image: "{image}" } } }""", ("dev", "shop")));

        // Install: the pre-install hooks by weight (the ConfigMap at -10, the migration at -5, the seed at 0), then the
        // release, then once verified the post-install hook. Delete and test hooks are not run.
        await team.ReleaseAsync(onward, first);
        var installed = await onward.Api.FinishedDeploymentAsync("web", "dev", first);
        installed.State.ShouldBe(DeploymentState.Succeeded, installed.Reason + installed.Diagnosis);
        var timeline = string.Join("\n", (await onward.Api.DeploymentAsync(installed.Id)).Events.Select(e => e.Message));
        var order = new[]
        {
            "ran the pre-install hook ConfigMap/hook-config in shop: applied",
            "ran the pre-install hook Job/migrate in shop: job \"migrate\" completed, then deleted",
            "ran the pre-install hook Job/seed in shop: job \"seed\" completed",
            "not run: the pre-delete hook ConfigMap/cleanup in shop",
            "applied 2 objects to shop",
            "verified",
            "ran the post-install hook Job/smoke in shop: job \"smoke\" completed",
        };
        order.Select(o => timeline.IndexOf(o, StringComparison.Ordinal)).ShouldBeInOrder(SortDirection.Ascending, timeline);
        order.ShouldAllBe(o => timeline.Contains(o), timeline);
        team.Cluster.Store.Get(Jobs, "shop", "migrate").ShouldBeNull("hook-succeeded deletes the hook once it completed");
        var seed = team.Cluster.Store.Get(Jobs, "shop", "seed").ShouldNotBeNull("a hook without a delete policy stays until it runs again");
        team.Cluster.Store.Get(Jobs, "shop", "smoke").ShouldNotBeNull();
        team.Cluster.Store.Get(ConfigMaps, "shop", "cleanup").ShouldBeNull("pre-delete hooks are not run");
        team.Cluster.Store.Get(Pods, "shop", "web-test").ShouldBeNull("test hooks are left out");

        // Upgrade: pre-upgrade and post-upgrade hooks only; the install-only hooks stay as they were, and are not pruned.
        await team.Repo.WriteAsync("chart/values.yaml", "image: nowhere\nfailMigration: false\nnote: two\n");
        var second = await team.Repo.CommitAsync("upgrade");
        await team.ReleaseAsync(onward, second);
        var upgraded = await onward.Api.FinishedDeploymentAsync("web", "dev", second);
        upgraded.State.ShouldBe(DeploymentState.Succeeded, upgraded.Reason + upgraded.Diagnosis);
        timeline = string.Join("\n", (await onward.Api.DeploymentAsync(upgraded.Id)).Events.Select(e => e.Message));
        timeline.ShouldContain("ran the pre-upgrade hook Job/migrate in shop");
        timeline.ShouldContain("ran the post-upgrade hook Job/smoke in shop");
        timeline.ShouldNotContain("hook Job/seed");
        timeline.ShouldNotContain("hook ConfigMap/hook-config");
        team.Cluster.Store.Get(Jobs, "shop", "seed")!["metadata"]!["uid"]!.GetValue<string>().ShouldBe(seed["metadata"]!["uid"]!.GetValue<string>());
        team.Cluster.Store.Get(ConfigMaps, "shop", "hook-config").ShouldNotBeNull();

        // A pre-upgrade hook that fails stops the release before its objects are applied, with the hook's log.
        await team.Repo.WriteAsync("chart/values.yaml", "image: nowhere\nfailMigration: true\n");
        var third = await team.Repo.CommitAsync("a migration that fails");
        await team.ReleaseAsync(onward, third);
        var failed = await onward.Api.FinishedDeploymentAsync("web", "dev", third);
        failed.State.ShouldBe(DeploymentState.Failed);
        failed.Reason.ShouldNotBeNull().ShouldContain("the pre-upgrade hook Job/migrate in shop failed: job \"migrate\" failed");
        failed.Reason.ShouldContain("then deleted; the release's objects were not applied");
        failed.Diagnosis.ShouldNotBeNull().ShouldContain("hook:       Job/migrate in shop");
        team.Cluster.Store.Get(Jobs, "shop", "migrate").ShouldBeNull("hook-failed deletes the hook that failed");
        var secondRelease = await onward.Api.BuiltReleaseAsync("web", second);
        team.Cluster.Store.Get(Deployments, "shop", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>()
            .ShouldBe($"{team.Image}@{secondRelease.Digest}", "the release whose hook failed was not applied");
    }

    [Fact]
    public async Task Helm_settings_are_checked_when_the_file_is_read()
    {
        await using var dir = new TempDirectory();
        var yaml = TestConfig.Yaml(Ports.Free(), ["dev: { target: { kubernetes: { server: \"http://127.0.0.1:9\", namespace: shop } } }"],
            ["""
              web:
                repository: https://git.example.com/web.git
                build: { external: { image: registry.example.com/acme/web } }
                deploy: { helm: { chart: oci://registry.example.com/charts/web, version: "~banana", values: [../outside.yaml], set: { "image=x": "{image}", tag: "{tag}" }, releaseName: Web_1 } }
            """,
            """
              nameless:
                repository: https://git.example.com/web.git
                build: { external: { image: registry.example.com/acme/web } }
                deploy: { helm: { chart: "https://charts.example.com/", version: 1.0.0 } }
            """,
            """
              versioned:
                repository: https://git.example.com/web.git
                build: { external: { image: registry.example.com/acme/web } }
                deploy: { helm: { chart: ./chart, version: 1.0.0 } }
            """,
            """
              clear:
                repository: https://git.example.com/web.git
                build: { external: { image: registry.example.com/acme/web } }
                deploy: { helm: { chart: "http://charts.example.com/", name: web, version: 1.0.0, credentials: { username: robot, password: secret } } }
            """,
            """
              unpinned:
                repository: https://git.example.com/web.git
                build: { external: { image: registry.example.com/acme/web } }
                deploy: { helm: { chart: "oci://registry.example.com/charts/web:1.0.0" } }
            """]);
        await File.WriteAllTextAsync(dir.Combine("onward.yaml"), yaml);

        var validate = await OnwardCli.RunAsync(dir.Path, "validate");

        validate.ExitCode.ShouldBe(1);
        validate.Error.ShouldContain("services.web.deploy.helm.version: '~banana' is not a chart version or range");
        validate.Error.ShouldContain("services.nameless.deploy.helm.chart: a chart repository needs the chart's `name`");
        validate.Error.ShouldContain("services.versioned.deploy.helm: `version`, `name` and `credentials` are for charts from a registry or repository");
        validate.Error.ShouldContain("services.clear.deploy.helm.credentials: the credentials would cross the network in the clear (http://)");
        validate.Error.ShouldContain("services.unpinned.deploy.helm.chart: 'oci://registry.example.com/charts/web:1.0.0' is not a chart in a registry");
        validate.Error.ShouldContain("services.unpinned.deploy.helm.version: missing `version`");
        validate.Error.ShouldNotContain("secret", Case.Sensitive, "a password is never shown");
        validate.Error.ShouldContain("services.web.deploy.helm.values[0]: '../outside.yaml' leaves the repository");
        validate.Error.ShouldContain("'image=x' is not a value's path");
        validate.Error.ShouldContain("services.web.deploy.helm.set.tag: unknown placeholder {tag}");
        validate.Error.ShouldContain("'Web_1' is not a Helm release name");

        await File.WriteAllTextAsync(dir.Combine("onward.yaml"), TestConfig.Yaml(Ports.Free(), ["dev: { target: { kubernetes: { server: \"http://127.0.0.1:9\", namespace: shop } } }"],
            ["""
              web:
                repository: https://git.example.com/web.git
                build: { external: { image: registry.example.com/acme/web } }
                deploy: { helm: { chart: ./chart } }
            """]));
        var noHelm = await OnwardCli.RunAsync(dir.Path, new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin", ["ONWARD_HELM"] = "" }, "validate");
        noHelm.ExitCode.ShouldBe(0, noHelm.Error);
        noHelm.Output.ShouldContain("warning: onward.yaml: services.web.deploy.helm: helm is not on this host's PATH (nor named by ONWARD_HELM); the server needs helm 3.14 or later");
        var withHelm = await OnwardCli.RunAsync(dir.Path, new Dictionary<string, string> { ["ONWARD_HELM"] = Paths.Helm }, "validate");
        withHelm.Output.ShouldNotContain("warning");
    }
}
