using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Onward.Contracts.Releases;
using Onward.Testing;
using Onward.Testing.Kubernetes;

namespace Onward.Server.Tests.Kubernetes;

/// <summary>
/// A team's setup for the Kubernetes tests: a registry, a simulated cluster, and the service's repository, whose
/// releases an external CI registers (a small image pushed per commit, so that tests need releases, not builds).
/// </summary>
internal sealed class TeamCluster : IAsyncDisposable
{
    private TeamCluster(TempDirectory dir, LocalRegistry registry, KubernetesApiServer cluster, GitRepository repo) =>
        (Dir, Registry, Cluster, Repo) = (dir, registry, cluster, repo);

    public TempDirectory Dir { get; }

    public LocalRegistry Registry { get; }

    public KubernetesApiServer Cluster { get; }

    public GitRepository Repo { get; }

    public string Image => $"{Registry.Host}/acme/web";

    /// <param name="certificate">Serve the cluster's API over HTTPS with this certificate.</param>
    /// <param name="token">Have the cluster's API take only this bearer token.</param>
    public static async Task<TeamCluster> StartAsync(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null, string? token = null)
    {
        var dir = new TempDirectory();
        var registry = await LocalRegistry.StartAsync();
        var cluster = await KubernetesApiServer.StartAsync(simulate: true, certificate: certificate, token: token);
        var repo = await GitRepository.InitAsync(dir.Combine("web"));
        return new TeamCluster(dir, registry, cluster, repo);
    }

    /// <summary>onward.yaml with the service <c>web</c> (external builds) and one auto-deployed environment per (name, namespace).</summary>
    /// <param name="deploy">The service's <c>deploy</c> mapping, e.g. <c>{ manifests: deploy/k8s }</c>.</param>
    public string Yaml(string deploy, params (string Name, string Namespace)[] environments) => Yaml([("web", Repo.Path, deploy)], environments);

    public string Yaml(IEnumerable<(string Name, string Repository, string Deploy)> services, params (string Name, string Namespace)[] environments) =>
        TestConfig.Yaml(Ports.Free(),
            environments.Select(e => $"{e.Name}: {{ target: {{ kubernetes: {{ server: \"{Cluster.Url}\", namespace: {e.Namespace} }} }}, policy: {{ autoDeploy: main }} }}"),
            services.Select(s => $$"""
                  {{s.Name}}:
                    repository: {{s.Repository}}
                    poll: 200ms
                    build: { external: { image: {{Image}} } }
                    deploy: {{s.Deploy}}
                    verify: { timeout: 30s }
                """),
            $"registries: {{ \"{Registry.Host}\": {{ insecure: true }} }}");

    /// <summary>Pushes an image for <paramref name="commit"/> and registers it with Onward, as the team's CI does after a build.</summary>
    public Task ReleaseAsync(OnwardHost onward, string commit, string service = "web") => ReleaseAsync(onward.Api, commit, service);

    /// <summary>The same against any server, e.g. one replica of several.</summary>
    public async Task ReleaseAsync(OnwardApi api, string commit, string service = "web")
    {
        await Registry.PushTinyImageAsync("acme/web", commit[..7], service);
        using var response = await api.Http.PostAsJsonAsync("api/v1/releases", new ReleaseRegistration(service, commit, null, $"{Image}:{commit[..7]}"));
        response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Changes an object by hand, as <c>kubectl edit</c> does (a JSON merge patch under its own field manager).</summary>
    public async Task PatchAsync(string path, string patch)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Cluster.Url) };
        using var request = new HttpRequestMessage(HttpMethod.Patch, path + "?fieldManager=kubectl-edit") { Content = new StringContent(patch, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        using var response = await http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Registry.DisposeAsync();
        await Dir.DisposeAsync();
    }
}
