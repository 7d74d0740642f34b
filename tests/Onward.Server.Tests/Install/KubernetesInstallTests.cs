using Onward.Testing;
using Onward.Testing.Kubernetes;

namespace Onward.Server.Tests.Install;

/// <summary>Issue 25: Onward installed in a cluster from deploy/kubernetes (Kustomize) and deploy/helm/onward (Helm).</summary>
public class KubernetesInstallTests
{
    private static string Deploy(params string[] parts) => Path.Combine([Paths.RepositoryRoot, "deploy", .. parts]);

    [Fact]
    public async Task The_kustomize_base_renders_its_configuration_is_valid_and_it_applies_and_rolls_out_on_the_simulated_cluster()
    {
        await using var dir = new TempDirectory();
        var rendered = await Commands.OutputAsync("kubectl", "kustomize", Deploy("kubernetes"));
        rendered.ShouldContain("kind: Deployment");
        rendered.ShouldContain("name: onward-config");
        var validate = await OnwardCli.RunAsync(null, "validate", Deploy("kubernetes", "onward.yaml"));
        validate.ExitCode.ShouldBe(0, validate.Error);
        await File.WriteAllTextAsync(dir.Combine("onward.yaml"), rendered);
        await using var cluster = await SimulatedClusterProcess.StartAsync(dir.Combine("kube", "config"));

        // --validate=false: the simulated cluster serves no OpenAPI document for kubectl's client-side schema check.
        var applied = await Commands.OutputAsync("kubectl", "--kubeconfig", cluster.Kubeconfig, "apply", "--server-side", "--validate=false", "-f", dir.Combine("onward.yaml"));
        var rollout = await Commands.OutputAsync("kubectl", "--kubeconfig", cluster.Kubeconfig, "rollout", "status", "deployment/onward", "-n", "onward", "--timeout=60s");

        applied.ShouldContain("deployment.apps/onward serverside-applied");
        applied.ShouldContain("rolebinding.rbac.authorization.k8s.io/onward-deployer serverside-applied");
        rollout.ShouldContain("successfully rolled out");
        (await Commands.OutputAsync("kubectl", "--kubeconfig", cluster.Kubeconfig, "get", "configmap", "onward-config", "-n", "onward", "-o", "jsonpath={.data.onward\\.yaml}"))
            .ShouldContain("inCluster: true");
    }

    [Fact]
    public async Task The_helm_chart_lints_renders_one_replica_on_sqlite_or_several_on_postgres_refuses_several_on_sqlite_and_applies_and_rolls_out()
    {
        await using var dir = new TempDirectory();
        var chart = Deploy("helm", "onward");
        (await Commands.OutputAsync(Paths.Helm, "lint", chart)).ShouldContain("0 chart(s) failed");
        await using var cluster = await SimulatedClusterProcess.StartAsync(dir.Combine("kube", "config"), "onward", "apps");

        var single = await Commands.OutputAsync(Paths.Helm, "template", "onward", chart, "--namespace", "onward");
        single.ShouldContain("kind: PersistentVolumeClaim");
        single.ShouldContain("type: Recreate");
        await ValidConfigurationAsync(single, dir, new Dictionary<string, string>());
        await ApplyAndRollOutAsync(cluster, dir, single);

        var several = await Commands.OutputAsync(Paths.Helm, "template", "onward", chart, "--namespace", "onward",
            "--set", "replicas=2", "--set", "database.url=postgres://onward:s3cret@db.example.com:5432/onward", "--set", "ingress.enabled=true");
        several.ShouldContain("replicas: 2");
        several.ShouldContain("type: RollingUpdate");
        several.ShouldNotContain("kind: PersistentVolumeClaim");
        several.ShouldContain("name: ONWARD_DATABASE_URL");
        several.ShouldContain("kind: Ingress");
        several.ShouldContain("database: ${ONWARD_DATABASE_URL}", Case.Sensitive, "the password stays in the Secret, out of the ConfigMap");
        await ValidConfigurationAsync(several, dir, new Dictionary<string, string> { ["ONWARD_DATABASE_URL"] = "postgres://onward:x@127.0.0.1:5432/onward" });
        await ApplyAndRollOutAsync(cluster, dir, several);

        var refused = await Commands.RunAsync(Paths.Helm, ["template", "onward", chart, "--set", "replicas=2"]);
        refused.ExitCode.ShouldBe(1);
        var error = refused.Error;
        error.ShouldContain("replicas above 1 share one database: set database.url (postgres://…) or database.existingSecret");
    }

    /// <summary>The onward.yaml a rendered ConfigMap holds passes `onward validate`.</summary>
    private static async Task ValidConfigurationAsync(string rendered, TempDirectory dir, IReadOnlyDictionary<string, string> environment)
    {
        var lines = rendered.Split('\n');
        var start = Array.FindIndex(lines, l => l.Trim() == "onward.yaml: |") + 1;
        var body = lines.Skip(start).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal) || l.Length == 0).Select(l => l.Length >= 4 ? l[4..] : l);
        await File.WriteAllTextAsync(dir.Combine("rendered-onward.yaml"), string.Join('\n', body));
        var validate = await OnwardCli.RunAsync(dir.Path, environment, "validate", "rendered-onward.yaml");
        validate.ExitCode.ShouldBe(0, validate.Error);
    }

    private static async Task ApplyAndRollOutAsync(SimulatedClusterProcess cluster, TempDirectory dir, string rendered)
    {
        await File.WriteAllTextAsync(dir.Combine("rendered.yaml"), rendered);
        // --validate=false: the simulated cluster serves no OpenAPI document for kubectl's client-side schema check.
        (await Commands.OutputAsync("kubectl", "--kubeconfig", cluster.Kubeconfig, "apply", "--server-side", "--force-conflicts", "--validate=false", "-f", dir.Combine("rendered.yaml")))
            .ShouldContain("deployment.apps/onward serverside-applied");
        (await Commands.OutputAsync("kubectl", "--kubeconfig", cluster.Kubeconfig, "rollout", "status", "deployment/onward", "-n", "onward", "--timeout=60s"))
            .ShouldContain("successfully rolled out");
    }
}
