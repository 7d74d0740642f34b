using System.Globalization;
using Onward.Contracts.Deployments;
using Onward.Contracts.Releases;
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

    /// <summary>Charts made and published as a chart's maintainers do: <c>helm package</c>, then <c>helm push</c> or <c>helm repo index</c>.</summary>
    private sealed class ChartMaker(TempDirectory dir)
    {
        private Dictionary<string, string> Environment => new()
        {
            ["HELM_CONFIG_HOME"] = dir.Combine("helm/config"),
            ["HELM_CACHE_HOME"] = dir.Combine("helm/cache"),
            ["HELM_DATA_HOME"] = dir.Combine("helm/data"),
        };

        public string Packages => dir.Combine("packages");

        /// <summary>Packages chart <c>web</c> at <paramref name="version"/>: a Deployment and a ConfigMap saying the chart's version, and with <paramref name="extra"/> a second ConfigMap.</summary>
        public async Task<string> PackageAsync(string version, bool extra, string note = "")
        {
            var chart = dir.Combine($"src/{version}{note}/web");
            Directory.CreateDirectory(Path.Combine(chart, "templates"));
            await File.WriteAllTextAsync(Path.Combine(chart, "Chart.yaml"), $"apiVersion: v2\nname: web\nversion: {version}\n");
            await File.WriteAllTextAsync(Path.Combine(chart, "values.yaml"), "image: nowhere\ngreeting: hello\n");
            await File.WriteAllTextAsync(Path.Combine(chart, "templates/web.yaml"), $$$"""
                apiVersion: v1
                kind: ConfigMap
                metadata: { name: "{{ .Release.Name }}-config" }
                data: { CHART: {{ .Chart.Version | quote }}, GREETING: {{ .Values.greeting | quote }}, NOTE: "{{{note}}}" }
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: { name: {{ .Release.Name | quote }} }
                spec:
                  replicas: 1
                  selector: { matchLabels: { app: {{ .Release.Name | quote }} } }
                  template:
                    metadata: { labels: { app: {{ .Release.Name | quote }} } }
                    spec:
                      containers: [{ name: app, image: {{ .Values.image | quote }} }]
                """ + (extra ? """

                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: { name: "{{ .Release.Name }}-extra" }
                data: { ONLY: "in some versions" }
                """ : ""));
            Directory.CreateDirectory(Packages);
            await Commands.OutputAsync(Paths.Helm, Environment, "package", chart, "--destination", Packages);
            return Path.Combine(Packages, $"web-{version}.tgz");
        }

        /// <summary>Pushes a packaged chart to <c>oci://HOST/charts</c>; returns the manifest's digest helm printed.</summary>
        public async Task<string> PushAsync(string package, LocalRegistry registry)
        {
            var (user, password) = registry.Credentials!.Value;
            var result = await Commands.RunAsync(Paths.Helm, ["push", package, $"oci://{registry.Host}/charts", "--plain-http", "--username", user, "--password", password], Environment);
            result.ExitCode.ShouldBe(0, result.Error);
            var digest = System.Text.RegularExpressions.Regex.Match(result.Output + result.Error, @"Digest: (sha256:[0-9a-f]{64})").Groups[1].Value;
            digest.ShouldNotBeNullOrEmpty(result.Output + result.Error);
            return digest;
        }

        /// <summary>Writes the chart repository's index.yaml for the packages (archive URLs relative to it).</summary>
        public Task IndexAsync() => Commands.OutputAsync(Paths.Helm, Environment, "repo", "index", Packages);
    }

    [Fact]
    public async Task A_chart_from_a_registry_is_resolved_once_per_release_and_pinned_by_digest_and_a_version_that_drops_an_object_prunes_it()
    {
        Environment.SetEnvironmentVariable("ONWARD_HELM", Paths.Helm);
        await using var team = await TeamCluster.StartAsync();
        await using var charts = await LocalRegistry.StartAsync(("robot", "chart-pass"));
        await using var work = new TempDirectory();
        var maker = new ChartMaker(work);
        var pushed100 = await maker.PushAsync(await maker.PackageAsync("1.0.0", extra: true), charts);
        await maker.PushAsync(await maker.PackageAsync("2.0.0", extra: true), charts);
        await team.Repo.WriteAsync("deploy/values.yaml", "greeting: from the service's repository\n");
        var first = await team.Repo.CommitAsync("values for the chart");
        var deploy = $$"""{ helm: { chart: "oci://{{charts.Host}}/charts/web", version: "~1.0", credentials: { username: robot, password: chart-pass }, values: [deploy/values.yaml], set: { image: "{image}" } } }""";
        var yaml = team.Yaml(deploy, ("dev", "shop")).Replace(
            $"registries: {{ \"{team.Registry.Host}\": {{ insecure: true }} }}",
            $"registries: {{ \"{team.Registry.Host}\": {{ insecure: true }}, \"{charts.Host}\": {{ insecure: true }} }}", StringComparison.Ordinal);
        await using var onward = await OnwardHost.StartAsync(team.Dir.Path, yaml);

        // The range resolves to the highest 1.0.x there is (2.0.0 is outside it), and the release is pinned to its digest.
        await team.ReleaseAsync(onward, first);
        var installed = await onward.Api.FinishedDeploymentAsync("web", "dev", first);
        installed.State.ShouldBe(DeploymentState.Succeeded, installed.Reason + installed.Diagnosis);
        var config = team.Cluster.Store.Get(ConfigMaps, "shop", "web-config")!["data"]!;
        config["CHART"]!.GetValue<string>().ShouldBe("1.0.0");
        config["GREETING"]!.GetValue<string>().ShouldBe("from the service's repository", "values files come from the release's commit");
        team.Cluster.Store.Get(ConfigMaps, "shop", "web-extra").ShouldNotBeNull();
        var pin = (await onward.Api.DeploymentAsync(installed.Id)).Release.Chart.ShouldNotBeNull();
        pin.ShouldBe(new ChartResponse($"oci://{charts.Host}/charts/web", "web", "1.0.0", pushed100));
        (await onward.Api.BuiltReleaseAsync("web", first)).Chart.ShouldBe(pin);
        var show = await OnwardCli.RunAsync(null, "deployments", "show", installed.Id.ToString(CultureInfo.InvariantCulture), "--server", onward.Config.Server.Listen.ToString());
        show.Output.ShouldContain($"chart      web 1.0.0 from oci://{charts.Host}/charts/web, {pushed100}");
        show.Output.ShouldNotContain("chart-pass");
        var page = await onward.Api.Http.GetStringAsync($"deployments/{installed.Id}");
        page.ShouldContain($"chart <strong>web 1.0.0</strong> from <code>oci://{charts.Host}/charts/web</code>");

        // A newer version in the range does not change what the release renders: deployed again, it is still 1.0.0.
        await maker.PushAsync(await maker.PackageAsync("1.0.1", extra: false), charts);
        var again = await onward.Api.RequestAsync("web", "dev", first[..7]);
        again.Status.ShouldBe(System.Net.HttpStatusCode.Accepted, again.Problem?.Detail);
        var redeployed = await onward.Api.FinishedAsync(again.Value!.Id);
        redeployed.State.ShouldBe(DeploymentState.Succeeded, redeployed.Reason);
        redeployed.Release.Chart.ShouldBe(pin);
        team.Cluster.Store.Get(ConfigMaps, "shop", "web-config")!["data"]!["CHART"]!.GetValue<string>().ShouldBe("1.0.0");

        // The next release resolves the range again: 1.0.1, which no longer has web-extra, and pruning deletes it.
        await team.Repo.WriteAsync("deploy/values.yaml", "greeting: second\n");
        var second = await team.Repo.CommitAsync("second");
        await team.ReleaseAsync(onward, second);
        var upgraded = await onward.Api.FinishedDeploymentAsync("web", "dev", second);
        upgraded.State.ShouldBe(DeploymentState.Succeeded, upgraded.Reason + upgraded.Diagnosis);
        (await onward.Api.DeploymentAsync(upgraded.Id)).Release.Chart!.Version.ShouldBe("1.0.1");
        team.Cluster.Store.Get(ConfigMaps, "shop", "web-config")!["data"]!["CHART"]!.GetValue<string>().ShouldBe("1.0.1");
        await Eventually.WaitAsync(() => Task.FromResult(team.Cluster.Store.Get(ConfigMaps, "shop", "web-extra") is null), "web-extra to be pruned");
        string.Join("\n", (await onward.Api.DeploymentAsync(upgraded.Id)).Events.Select(e => e.Message)).ShouldContain("pruned ConfigMap/web-extra in shop");
    }

    [Fact]
    public async Task A_chart_repository_serves_the_pinned_archive_once_and_charts_that_cannot_be_had_fail_before_anything_is_applied()
    {
        Environment.SetEnvironmentVariable("ONWARD_HELM", Paths.Helm);
        await using var team = await TeamCluster.StartAsync();
        await using var charts = await LocalRegistry.StartAsync(("robot", "chart-pass"));
        await using var work = new TempDirectory();
        var maker = new ChartMaker(work);
        await maker.PushAsync(await maker.PackageAsync("1.0.0", extra: false), charts);
        await maker.PackageAsync("1.0.0", extra: false);
        var archive = await maker.PackageAsync("1.1.0", extra: false);
        await maker.IndexAsync();
        await using var repository = StaticFileServer.Start(maker.Packages, ("reader", "repo-pass"));
        var first = await team.Repo.CommitAsync("a release");
        var oci = $"oci://{charts.Host}/charts/web";
        var yaml = team.Yaml(
            [
                ("fromrepo", team.Repo.Path, $$"""{ helm: { chart: "{{repository.Url}}", name: web, version: ^1.0, credentials: { username: reader, password: repo-pass }, set: { image: "{image}" } } }"""),
                ("wrongpass", team.Repo.Path, $$"""{ helm: { chart: "{{oci}}", version: 1.0.0, credentials: { username: robot, password: not-it }, set: { image: "{image}" } } }"""),
                ("nomatch", team.Repo.Path, $$"""{ helm: { chart: "{{oci}}", version: ~3.0, credentials: { username: robot, password: chart-pass }, set: { image: "{image}" } } }"""),
                ("nameless", team.Repo.Path, $$"""{ helm: { chart: "{{repository.Url}}", name: shop, version: 1.0.0, credentials: { username: reader, password: repo-pass }, set: { image: "{image}" } } }"""),
            ], ("dev", "shop")).Replace(
            $"registries: {{ \"{team.Registry.Host}\": {{ insecure: true }} }}",
            $"registries: {{ \"{team.Registry.Host}\": {{ insecure: true }}, \"{charts.Host}\": {{ insecure: true }} }}", StringComparison.Ordinal);
        await using var onward = await OnwardHost.StartAsync(team.Dir.Path, yaml);
        foreach (var service in new[] { "fromrepo", "wrongpass", "nomatch", "nameless" })
        {
            await team.ReleaseAsync(onward, first, service);
        }

        var fromRepository = await onward.Api.FinishedDeploymentAsync("fromrepo", "dev", first);
        fromRepository.State.ShouldBe(DeploymentState.Succeeded, fromRepository.Reason + fromRepository.Diagnosis);
        var sha = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(archive)));
        (await onward.Api.DeploymentAsync(fromRepository.Id)).Release.Chart.ShouldBe(new ChartResponse(repository.Url, "web", "1.1.0", sha));
        team.Cluster.Store.Get(ConfigMaps, "shop", "fromrepo-config")!["data"]!["CHART"]!.GetValue<string>().ShouldBe("1.1.0");

        var wrong = await onward.Api.FinishedDeploymentAsync("wrongpass", "dev", first);
        wrong.State.ShouldBe(DeploymentState.Failed);
        wrong.Reason.ShouldNotBeNull().ShouldContain($"fetching the chart {oci} failed, nothing was applied: {charts.Host} refused the credentials of user 'robot'");
        wrong.Reason.ShouldNotContain("not-it");
        var none = await onward.Api.FinishedDeploymentAsync("nomatch", "dev", first);
        none.State.ShouldBe(DeploymentState.Failed);
        none.Reason.ShouldNotBeNull().ShouldContain($"no version of {oci} matches ~3.0; it has 1.0.0");
        var missing = await onward.Api.FinishedDeploymentAsync("nameless", "dev", first);
        missing.Reason.ShouldNotBeNull().ShouldContain($"{repository.Url} has no chart named shop; it has web");
        foreach (var failed in new[] { "wrongpass", "nomatch", "nameless" })
        {
            team.Cluster.Store.Get(Deployments, "shop", failed).ShouldBeNull("nothing of a chart that could not be fetched is applied");
            (await onward.Api.BuiltReleaseAsync(failed, first)).Chart.ShouldBeNull("nothing is pinned when nothing was fetched");
        }

        // Deployed again, the release renders the archive kept here: the repository is not asked for it again.
        var again = await onward.Api.RequestAsync("fromrepo", "dev", first[..7]);
        again.Status.ShouldBe(System.Net.HttpStatusCode.Accepted, again.Problem?.Detail);
        (await onward.Api.FinishedAsync(again.Value!.Id)).State.ShouldBe(DeploymentState.Succeeded);
        repository.Served["/web-1.1.0.tgz"].ShouldBe(1, "a pinned chart is fetched once");

        // A repository that now serves another archive under the pinned version is not believed.
        (await maker.PackageAsync("1.1.0", extra: true, note: "changed")).ShouldBe(archive, "the same version packaged again, in place");
        await maker.IndexAsync();
        Directory.Delete(Path.Combine(onward.Config.Server.DataDir, "charts"), recursive: true);
        var third = await onward.Api.RequestAsync("fromrepo", "dev", first[..7]);
        var refused = await onward.Api.FinishedAsync(third.Value!.Id);
        refused.State.ShouldBe(DeploymentState.Failed);
        refused.Reason.ShouldNotBeNull().ShouldContain($"{repository.Url} now serves another archive for web 1.1.0");
        refused.Reason.ShouldContain($"than the one this release is pinned to ({sha})");
        team.Cluster.Store.Get(ConfigMaps, "shop", "fromrepo-extra").ShouldBeNull();
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
