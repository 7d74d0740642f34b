using Onward.Testing;
using k8s;
using KubernetesApi = k8s.Kubernetes;
using k8s.Autorest;
using k8s.Models;
using Onward.Testing.Kubernetes;

namespace Onward.Integrations.Tests.Kubernetes;

/// <summary>The API test server answers KubernetesClient, unchanged, the way a real API server does.</summary>
public class KubernetesApiServerTests
{
    private const string Ns = "shop";

    private static V1Deployment Deployment(string image, int replicas = 2) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = Ns, Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = image }] },
            },
        },
    };

    private static Task<V1Deployment> ApplyAsync(KubernetesApi client, V1Deployment deployment, string manager = "onward", bool force = true) =>
        client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(deployment, V1Patch.PatchType.ApplyPatch), deployment.Metadata.Name, Ns, fieldManager: manager, force: force);

    [Fact]
    public async Task Server_side_apply_creates_updates_and_bumps_generation_only_for_spec_changes()
    {
        await using var server = await KubernetesApiServer.StartAsync(namespaces: [Ns]);
        using var client = new KubernetesApi(new KubernetesClientConfiguration { Host = server.Url });

        var created = await ApplyAsync(client, Deployment("registry.example.com/web@sha256:aaa"));
        var again = await ApplyAsync(client, Deployment("registry.example.com/web@sha256:aaa"));
        var labelled = Deployment("registry.example.com/web@sha256:aaa");
        labelled.Metadata.Annotations = new Dictionary<string, string> { ["onward.dev/version"] = "1a2b3c4" };
        var annotated = await ApplyAsync(client, labelled);
        var changed = await ApplyAsync(client, Deployment("registry.example.com/web@sha256:bbb"));

        created.Metadata.Generation.ShouldBe(1);
        again.Metadata.ResourceVersion.ShouldBe(created.Metadata.ResourceVersion, "an unchanged apply is a no-op");
        annotated.Metadata.Generation.ShouldBe(1, "metadata changes do not bump generation");
        long.Parse(annotated.Metadata.ResourceVersion).ShouldBeGreaterThan(long.Parse(created.Metadata.ResourceVersion));
        changed.Metadata.Generation.ShouldBe(2);
        changed.Metadata.ManagedFields.ShouldContain(f => f.Manager == "onward" && f.Operation == "Apply");
        (await client.AppsV1.ReadNamespacedDeploymentAsync("web", Ns)).Spec.Template.Spec.Containers[0].Image.ShouldBe("registry.example.com/web@sha256:bbb");
    }

    [Fact]
    public async Task Status_is_a_subresource_that_spec_writes_leave_alone()
    {
        await using var server = await KubernetesApiServer.StartAsync(namespaces: [Ns]);
        using var client = new KubernetesApi(new KubernetesClientConfiguration { Host = server.Url });
        var deployment = await ApplyAsync(client, Deployment("img@sha256:aaa"));
        deployment.Status = new V1DeploymentStatus { ObservedGeneration = 1, Replicas = 2, UpdatedReplicas = 2, AvailableReplicas = 2 };

        var withStatus = await client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(deployment, "web", Ns);
        var reapplied = await ApplyAsync(client, Deployment("img@sha256:bbb"));

        withStatus.Status.AvailableReplicas.ShouldBe(2);
        withStatus.Metadata.Generation.ShouldBe(1);
        reapplied.Status.AvailableReplicas.ShouldBe(2, "the apply carried no status and the old one stays");
        reapplied.Status.ObservedGeneration.ShouldBe(1);
        reapplied.Metadata.Generation.ShouldBe(2);
    }

    [Fact]
    public async Task Conflicts_are_refused_unless_forced_and_stale_updates_are_refused()
    {
        await using var server = await KubernetesApiServer.StartAsync(namespaces: [Ns]);
        using var client = new KubernetesApi(new KubernetesClientConfiguration { Host = server.Url });
        var first = await ApplyAsync(client, Deployment("img@sha256:aaa"), manager: "kubectl");

        var conflict = await Should.ThrowAsync<HttpOperationException>(() => ApplyAsync(client, Deployment("img@sha256:bbb", 3), force: false));
        conflict.Response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Conflict);
        (await ApplyAsync(client, Deployment("img@sha256:bbb", 3), force: true)).Spec.Replicas.ShouldBe(3);

        var stale = await Should.ThrowAsync<HttpOperationException>(() => client.AppsV1.ReplaceNamespacedDeploymentAsync(first, "web", Ns));
        stale.Response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Conflict);
        var missing = await Should.ThrowAsync<HttpOperationException>(() => client.AppsV1.ReadNamespacedDeploymentAsync("nope", Ns));
        missing.Response.StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_watch_from_a_list_sees_every_later_change_in_order_with_bookmarks()
    {
        await using var server = await KubernetesApiServer.StartAsync(namespaces: [Ns]);
        server.BookmarkInterval = TimeSpan.FromMilliseconds(200);
        using var client = new KubernetesApi(new KubernetesClientConfiguration { Host = server.Url });
        await ApplyAsync(client, Deployment("img@sha256:aaa"));
        var list = await client.AppsV1.ListNamespacedDeploymentAsync(Ns, labelSelector: "app=web");
        list.Items.Count.ShouldBe(1);
        (await client.AppsV1.ListNamespacedDeploymentAsync(Ns, labelSelector: "app=other")).Items.ShouldBeEmpty();

        var seen = new List<(WatchEventType Type, string? Image)>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, item) in client.AppsV1.WatchListNamespacedDeploymentAsync(Ns, resourceVersion: list.Metadata.ResourceVersion, allowWatchBookmarks: true, cancellationToken: stop.Token))
            {
                lock (seen)
                {
                    seen.Add((type, item.Spec?.Template.Spec.Containers[0].Image));
                }
                if (type == WatchEventType.Deleted)
                {
                    return;
                }
            }
        });
        // An idle watch gets bookmarks; the changes after it are seen all the same.
        await Eventually.WaitAsync(() => Task.FromResult(ContainsBookmark(seen)), "a bookmark on the idle watch");
        await ApplyAsync(client, Deployment("img@sha256:bbb"));
        await client.AppsV1.DeleteNamespacedDeploymentAsync("web", Ns);
        await watching;

        seen.Where(s => s.Type != WatchEventType.Bookmark).ShouldBe([(WatchEventType.Modified, "img@sha256:bbb"), (WatchEventType.Deleted, "img@sha256:bbb")]);
        seen.ShouldContain(s => s.Type == WatchEventType.Bookmark);
    }

    [Fact]
    public async Task A_watch_from_a_compacted_resource_version_gets_410_gone()
    {
        await using var server = await KubernetesApiServer.StartAsync(namespaces: [Ns]);
        using var client = new KubernetesApi(new KubernetesClientConfiguration { Host = server.Url });
        var created = await ApplyAsync(client, Deployment("img@sha256:aaa"));
        await ApplyAsync(client, Deployment("img@sha256:bbb"));
        server.Store.Compact();

        var events = new List<WatchEventType>();
        var errors = new List<Exception>();
        await foreach (var (type, _) in client.AppsV1.WatchListNamespacedDeploymentAsync(Ns, resourceVersion: created.Metadata.ResourceVersion, onError: errors.Add))
        {
            events.Add(type);
        }
        using var http = new HttpClient();
        var raw = await http.GetStringAsync($"{server.Url}/apis/apps/v1/namespaces/{Ns}/deployments?watch=true&resourceVersion={created.Metadata.ResourceVersion}");

        events.ShouldBeEmpty();
        // KubernetesClient reports an ERROR event through onError (as a KubernetesException with the Status), not as an item.
        errors.OfType<KubernetesException>().Single().Status.Code.ShouldBe(410);
        raw.ShouldContain("\"code\":410");
        raw.ShouldContain("too old resource version");
    }

    private static bool ContainsBookmark(List<(WatchEventType Type, string? Image)> seen)
    {
        lock (seen)
        {
            return seen.Any(s => s.Type == WatchEventType.Bookmark);
        }
    }
}
