using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Onward.Contracts.Problems;

namespace Onward.Cli.Client;

/// <summary>The CLI's way to the REST API. Keeps the raw JSON of each answer for <c>--json</c>.</summary>
public sealed class ApiClient : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly HttpClient _http;

    public ApiClient(Uri server, string? token)
    {
        _http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri Server => _http.BaseAddress!;

    public async Task<(T Value, string Raw)> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => _http.GetAsync(path, cancellationToken));
        return await ReadAsync<T>(response, cancellationToken);
    }

    public async Task<string> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => _http.GetAsync(path, cancellationToken));
        await ThrowIfProblemAsync(response, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    public async Task<(T Value, string Raw)> PostAsync<T>(string path, object body, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => _http.PostAsJsonAsync(path, body, Json, cancellationToken));
        return await ReadAsync<T>(response, cancellationToken);
    }

    public async Task<(T Value, string Raw)> PatchAsync<T>(string path, object body, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => _http.PatchAsJsonAsync(path, body, Json, cancellationToken));
        return await ReadAsync<T>(response, cancellationToken);
    }

    /// <summary>PUTs a JSON document as it is (not re-serialised), e.g. a flag document read from a file.</summary>
    public async Task<(T Value, string Raw)> PutJsonAsync<T>(string path, string json, CancellationToken cancellationToken)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await SendAsync(() => _http.PutAsync(path, content, cancellationToken));
        return await ReadAsync<T>(response, cancellationToken);
    }

    public async Task<(T Value, string Raw)> DeleteAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => _http.DeleteAsync(path, cancellationToken));
        return await ReadAsync<T>(response, cancellationToken);
    }

    /// <summary>Sends a request whose answer may be of two shapes (e.g. 200 with the result or 202 with a request for approval).</summary>
    public async Task<(int Status, string Raw)> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await SendAsync(() => _http.SendAsync(request, cancellationToken));
        await ThrowIfProblemAsync(response, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    public async Task<string> DeleteTextAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => _http.DeleteAsync(path, cancellationToken));
        await ThrowIfProblemAsync(response, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            return await send();
        }
        catch (HttpRequestException e)
        {
            throw new ApiException(0, null,
                $"cannot reach the Onward server at {Server} ({e.Message}); start it with `onward serve` or point --server / ONWARD_SERVER at it");
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            throw new ApiException(0, null, $"the Onward server at {Server} did not answer within {_http.Timeout.TotalSeconds:0} s; is it busy, or is --server / ONWARD_SERVER pointing elsewhere?");
        }
    }

    private static async Task<(T, string)> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await ThrowIfProblemAsync(response, cancellationToken);
        var raw = await response.Content.ReadAsStringAsync(cancellationToken);
        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(raw, Json);
        }
        catch (JsonException)
        {
            throw new ApiException((int)response.StatusCode, null, NotOnward(response, raw));
        }
        return (value ?? throw new ApiException((int)response.StatusCode, null, "the server sent an empty answer"), raw);
    }

    private static async Task ThrowIfProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var raw = await response.Content.ReadAsStringAsync(cancellationToken);
        ProblemResponse? problem = null;
        try
        {
            problem = JsonSerializer.Deserialize<ProblemResponse>(raw, Json);
        }
        catch (JsonException)
        {
        }
        throw new ApiException((int)response.StatusCode, problem, problem is null
            ? NotOnward(response, raw)
            : $"the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
    }

    /// <summary>An answer that is not Onward's: most likely --server names something else.</summary>
    private static string NotOnward(HttpResponseMessage response, string raw)
    {
        var shown = new string(raw.Trim().Take(60).Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return $"{response.RequestMessage?.RequestUri?.GetLeftPart(UriPartial.Authority)} answered {(int)response.StatusCode} {response.ReasonPhrase} with what Onward does not send"
            + (shown.Length > 0 ? $" (\"{shown}{(raw.Trim().Length > 60 ? "…" : "")}\")" : "")
            + "; is it an Onward server? Check --server / ONWARD_SERVER";
    }
}
