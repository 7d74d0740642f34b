using System.Net;
using Onward.Contracts.Deployments;
using Onward.Server.Configuration;
using Onward.Testing;
using Onward.Testing.Kubernetes;

namespace Onward.Server.Tests.Kubernetes;

/// <summary>
/// Issue 25: <c>inCluster: true</c> as in a pod — the API server's address from <c>KUBERNETES_SERVICE_HOST</c> and
/// <c>_PORT</c>, its certificate trusted through the service account's <c>ca.crt</c>, and the account's token, all
/// where Kubernetes mounts them (<c>/var/run/secrets/kubernetes.io/serviceaccount</c>), given to <c>onward serve</c>
/// in a mount namespace of its own so that the host's files stay as they are.
/// </summary>
public class InClusterTests
{
    private const string Token = "service-account-token-of-onward";

    [Fact]
    public async Task In_a_pod_onward_reaches_its_cluster_with_the_service_accounts_certificate_and_token()
    {
        var probe = await Commands.RunAsync("unshare", ["-m", "true"]);
        Assert.SkipWhen(probe.ExitCode != 0, $"unshare -m cannot run here ({probe.Error.Trim()}); the service account's files cannot be put where a pod has them");
        using var certificate = LoopbackCertificate.Create("kube-apiserver");
        await using var team = await TeamCluster.StartAsync(certificate, Token);
        using (var anonymous = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true }))
        {
            (await anonymous.GetAsync(team.Cluster.Url + "/api")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the cluster takes the service account's token only");
        }
        var account = team.Dir.Combine("serviceaccount");
        Directory.CreateDirectory(account);
        await File.WriteAllTextAsync(Path.Combine(account, "token"), Token);
        await File.WriteAllTextAsync(Path.Combine(account, "ca.crt"), certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(account, "namespace"), "shop");
        await team.Repo.WriteAsync("deploy/k8s/web.yaml", WebManifest.Deployment(team.Image));
        var commit = await team.Repo.CommitAsync("manifests");
        var yaml = team.Yaml("{ manifests: deploy/k8s }", ("dev", "shop"))
            .Replace($"server: \"{team.Cluster.Url}\", namespace: shop", "inCluster: true, namespace: shop, createNamespace: true", StringComparison.Ordinal);
        yaml.ShouldContain("inCluster: true");
        var path = team.Dir.Combine("onward.yaml");
        await File.WriteAllTextAsync(path, yaml);
        var listen = ConfigFile.LoadValid(path).Server.Listen;
        // What a pod has: the service account mounted at its place (here on a tmpfs over /run, /var/run's target, seen
        // by this process only), and the API server's address in the environment.
        var mount = $"mount -t tmpfs tmpfs /run && mkdir -p /run/secrets/kubernetes.io/serviceaccount && cp {account}/* /run/secrets/kubernetes.io/serviceaccount/ && exec \"$@\"";
        await using var onward = await OnwardProcess.StartWrappedAsync(["unshare", "-m", "sh", "-c", mount, "sh"], path, listen, team.Dir.Combine("onward.log"),
            new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1", ["KUBERNETES_SERVICE_PORT"] = team.Cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        await team.ReleaseAsync(onward.Api, commit);

        var deployment = await onward.Api.FinishedDeploymentAsync("web", "dev", commit);
        deployment.State.ShouldBe(DeploymentState.Succeeded, deployment.Reason + deployment.Diagnosis + await File.ReadAllTextAsync(onward.Log));
        var release = await onward.Api.BuiltReleaseAsync("web", commit);
        team.Cluster.Store.Get(ResourceType.Known.First(t => t.Plural == "deployments"), "shop", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!
            .GetValue<string>().ShouldBe($"{team.Image}@{release.Digest}");
        Directory.Exists("/run/secrets/kubernetes.io").ShouldBeFalse("the host's /run is untouched");
    }

    [Fact]
    public async Task A_bearer_token_from_onward_yaml_or_a_kubeconfig_reaches_the_API_server()
    {
        await using var team = await TeamCluster.StartAsync(token: "onward-test");
        await File.WriteAllTextAsync(team.Dir.Combine("kubeconfig"), team.Cluster.Kubeconfig());
        await team.Repo.WriteAsync("deploy/k8s/web.yaml", WebManifest.Deployment(team.Image));
        var commit = await team.Repo.CommitAsync("manifests");
        var yaml = team.Yaml("{ manifests: deploy/k8s }", ("dev", "shop"), ("prod", "shop-prod"))
            .Replace($"server: \"{team.Cluster.Url}\", namespace: shop-prod", $"kubeconfig: {team.Dir.Combine("kubeconfig")}, context: onward-test, namespace: shop-prod, createNamespace: true", StringComparison.Ordinal)
            .Replace($"server: \"{team.Cluster.Url}\", namespace: shop", $"server: \"{team.Cluster.Url}\", token: onward-test, namespace: shop, createNamespace: true", StringComparison.Ordinal);
        await using var onward = await OnwardHost.StartAsync(team.Dir.Path, yaml);

        await team.ReleaseAsync(onward, commit);

        foreach (var environment in new[] { "dev", "prod" })
        {
            var deployment = await onward.Api.FinishedDeploymentAsync("web", environment, commit);
            deployment.State.ShouldBe(DeploymentState.Succeeded, environment + ": " + deployment.Reason + deployment.Diagnosis);
        }
    }
}
