using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Onward.Contracts.Deployments;
using Onward.Contracts.Problems;
using Onward.Contracts.Releases;
using Onward.Contracts.Services;

namespace Onward.Testing;

/// <summary>The REST API as tests use it: real HTTP to a running server, with a bearer token if one is given.</summary>
public sealed class OnwardApi : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public OnwardApi(Uri url, string? token = null)
    {
        // A request that asks first (Expect: 100-continue) waits for the server's answer however busy the machine is,
        // rather than sending its body after the default second and meeting the server's refusal mid-body.
        Http = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(20) }) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public HttpClient Http { get; }

    /// <summary>Sends a JSON body and reads the answer as <typeparamref name="T"/> on success, else as a problem.</summary>
    public async Task<(HttpStatusCode Status, ProblemResponse? Problem, T? Value)> PostAsync<T>(string path, object? body)
    {
        using var response = await Http.PostAsJsonAsync(path, body, Json);
        return response.IsSuccessStatusCode
            ? (response.StatusCode, null, await response.Content.ReadFromJsonAsync<T>(Json))
            : (response.StatusCode, await response.Content.ReadFromJsonAsync<ProblemResponse>(Json), default);
    }

    /// <summary><c>POST /api/v1/deployments</c> for a version of a service.</summary>
    public Task<(HttpStatusCode Status, ProblemResponse? Problem, DeploymentResponse? Value)> RequestAsync(
        string service, string environment, string version, string? overrideReason = null, string reason = "test") =>
        PostAsync<DeploymentResponse>("api/v1/deployments", new DeploymentRequestBody(service, environment, version, null, reason, overrideReason));

    /// <summary><c>POST /api/v1/deployments/{id}/approve</c> (or <c>reject</c>, <c>cancel</c>).</summary>
    public Task<(HttpStatusCode Status, ProblemResponse? Problem, DeploymentResponse? Value)> DecideAsync(long id, string verb = "approve", string? comment = null) =>
        PostAsync<DeploymentResponse>($"api/v1/deployments/{id}/{verb}", new DecisionBody(comment));

    public async Task<T> GetAsync<T>(string path) =>
        await Http.GetFromJsonAsync<T>(path, Json) ?? throw new InvalidOperationException($"GET {path} answered null");

    public Task<ReleaseResponse[]> ReleasesAsync(string service) => GetAsync<ReleaseResponse[]>($"api/v1/releases?service={service}&limit=100");

    public Task<DeploymentResponse[]> DeploymentsAsync(string service, string? environment = null, int limit = 200) =>
        GetAsync<DeploymentResponse[]>($"api/v1/deployments?service={service}&limit={limit}" + (environment is null ? "" : $"&environment={environment}"));

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
                .FirstOrDefault(d => d.Release.Commit == commit && d.State is DeploymentState.Succeeded or DeploymentState.Failed or DeploymentState.Blocked or DeploymentState.Superseded or DeploymentState.Cancelled),
            $"the deployment of {service} {commit[..7]} to {environment}");
        return await DeploymentAsync(done.Id);
    }

    /// <summary>Waits until the deployment has ended (succeeded, failed, blocked, superseded or cancelled), and returns it in full.</summary>
    public Task<DeploymentResponse> FinishedAsync(long id) =>
        Eventually.WaitAsync(async () => await DeploymentAsync(id) is { State: DeploymentState.Succeeded or DeploymentState.Failed or DeploymentState.Blocked or DeploymentState.Superseded or DeploymentState.Cancelled } d ? d : null,
            $"deployment {id} to end");

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
