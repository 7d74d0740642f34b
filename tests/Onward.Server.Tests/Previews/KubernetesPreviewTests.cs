using Onward.Contracts.Previews;
using Onward.Server.Tests.Kubernetes;
using Onward.Testing;
using Onward.Testing.Kubernetes;

namespace Onward.Server.Tests.Previews;

/// <summary>Issue 28 on the simulated cluster: a preview is a namespace of its own, made and deleted by Onward.</summary>
public class KubernetesPreviewTests
{
    [Fact]
    public async Task A_preview_on_a_cluster_gets_a_namespace_with_the_releases_objects_which_is_deleted_when_the_pull_request_closes()
    {
        const string secret = "cluster previews";
        await using var team = await TeamCluster.StartAsync();
        await team.Repo.WriteAsync("deploy/k8s/web.yaml", WebManifest.Deployment(team.Image + ":latest"));
        await team.Repo.WriteAsync("deploy/k8s/service.yaml", "apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { selector: { app: web }, ports: [ { port: 80 } ] }\n");
        await team.Repo.CommitAsync("web");
        await team.Repo.RunAsync("checkout", "-q", "-b", "feature/cluster");
        await team.Repo.WriteAsync("page", "a change");
        var head = await team.Repo.CommitAsync("a change to preview");
        var yaml = TestConfig.Yaml(Ports.Free(),
            [$"stage: {{ target: {{ kubernetes: {{ server: \"{team.Cluster.Url}\", namespace: stage }} }}, policy: {{}} }}"],
            [$$"""
                  shop:
                    repository: {{team.Repo.Path}}
                    poll: 200ms
                    build: { external: { image: {{team.Image}} } }
                    deploy: { manifests: deploy/k8s }
                    verify: { timeout: 30s }
                    previews: { from: stage, namespace: 'shop-pr-{number}', url: 'https://pr-{number}.shop.preview.example' }
                """],
            $"registries: {{ \"{team.Registry.Host}\": {{ insecure: true }} }}\n" + TestConfig.Webhooks(secret));
        await using var onward = await OnwardHost.StartAsync(team.Dir.Path, yaml);
        var hooks = new WebhookSender(onward.Api.Http, secret);

        // The CI registers the pull request's image; the event makes it a preview.
        await team.ReleaseAsync(onward, head, "shop");
        using (var opened = await hooks.GitHubAsync("pull_request", Payloads.GitHubPullRequest(team.Repo.Path, "opened", 42, "feature/cluster", head)))
        {
            opened.StatusCode.ShouldBe(System.Net.HttpStatusCode.Accepted, await opened.Content.ReadAsStringAsync());
        }
        var preview = await Eventually.WaitAsync(async () => (await onward.Api.GetAsync<PreviewResponse[]>("api/v1/previews")).FirstOrDefault(p => p.State is "ready" or "failed"),
            "the preview to be ready", TimeSpan.FromSeconds(60));

        preview.State.ShouldBe("ready", preview.Reason);
        preview.Url.ShouldBe("https://pr-42.shop.preview.example");
        var ns = team.Cluster.Store.Get(ResourceType.Of("namespaces"), null, "shop-pr-42").ShouldNotBeNull();
        ns["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]!.GetValue<string>().ShouldBe("onward");
        team.Cluster.Store.Get(ResourceType.Of("deployments"), "shop-pr-42", "web").ShouldNotBeNull();
        team.Cluster.Store.Get(ResourceType.Of("services"), "shop-pr-42", "web").ShouldNotBeNull();
        team.Cluster.Store.Get(ResourceType.Of("deployments"), "stage", "web").ShouldBeNull("the environment it copies is left alone");

        using (var closed = await hooks.GitHubAsync("pull_request", Payloads.GitHubPullRequest(team.Repo.Path, "closed", 42, "feature/cluster", head)))
        {
            closed.StatusCode.ShouldBe(System.Net.HttpStatusCode.Accepted);
        }
        await Eventually.WaitAsync(async () => (await onward.Api.GetAsync<PreviewResponse[]>("api/v1/previews")).Length == 0, "the preview to be destroyed", TimeSpan.FromSeconds(10));
        await Eventually.WaitAsync(() => Task.FromResult(team.Cluster.Store.Get(ResourceType.Of("namespaces"), null, "shop-pr-42") is null), "the namespace to be deleted", TimeSpan.FromSeconds(10));
        team.Cluster.Store.Get(ResourceType.Of("deployments"), "shop-pr-42", "web").ShouldBeNull("the namespace's contents go with it");
    }
}
