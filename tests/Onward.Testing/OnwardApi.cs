using System.Net.Http.Json;
using System.Text.Json;
using Onward.Contracts.Deployments;
using Onward.Contracts.Releases;
using Onward.Contracts.Services;

namespace Onward.Testing;

/// <summary>The REST API as tests use it: real HTTP to a running server.</summary>
public sealed class OnwardApi(Uri url) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public HttpClient Http { get; } = new() { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };

    public async Task<T> GetAsync<T>(string path) =>
        await Http.GetFromJsonAsync<T>(path, Json) ?? throw new InvalidOperationException($"GET {path} answered null");

    public Task<ReleaseResponse[]> ReleasesAsync(string service) => GetAsync<ReleaseResponse[]>($"api/v1/releases?service={service}&limit=100");

    public Task<DeploymentResponse[]> DeploymentsAsync(string service, string? environment = null) =>
        GetAsync<DeploymentResponse[]>($"api/v1/deployments?service={service}&limit=200" + (environment is null ? "" : $"&environment={environment}"));

    public Task<DeploymentResponse> DeploymentAsync(long id) => GetAsync<DeploymentResponse>($"api/v1/deployments/{id}");

    public Task<ServiceResponse> ServiceAsync(string name) => GetAsync<ServiceResponse>($"api/v1/services/{name}");

    /// <summary>Waits until the release of <paramref name="commit"/> has finished building.</summary>
    public Task<ReleaseResponse> BuiltReleaseAsync(string service, string commit) =>
        Eventually.WaitAsync(async () => (await ReleasesAsync(service)).FirstOrDefault(r => r.Commit == commit && r.State != "Building"),
            $"the build of {service} {commit[..7]}");

    /// <summary>Waits until the deployment of <paramref name="commit"/> to <paramref name="environment"/> has ended, and returns it in full.</summary>
    public async Task<DeploymentResponse> FinishedDeploymentAsync(string service, string environment, string commit)
    {
        var done = await Eventually.WaitAsync(async () => (await DeploymentsAsync(service, environment))
                .FirstOrDefault(d => d.Release.Commit == commit && d.State is "Succeeded" or "Failed" or "Blocked" or "Superseded" or "Cancelled"),
            $"the deployment of {service} {commit[..7]} to {environment}");
        return await DeploymentAsync(done.Id);
    }

    /// <summary>Waits until a failed deployment's restore of the previous release has ended, and returns it in full.</summary>
    public Task<DeploymentResponse> RestoredAsync(long id) =>
        Eventually.WaitAsync(async () => await DeploymentAsync(id) is { Restore: "done" or "failed" } d ? d : null, $"the restore after deployment {id}");

    public static async Task<string> AnswerAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return (await http.GetStringAsync(url)).Trim();
    }

    public void Dispose() => Http.Dispose();
}
