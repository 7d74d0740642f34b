using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Onward.Core.Kubernetes;
using Onward.Core.Pipeline;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// Requests for any kind through a KubernetesClient's own HTTP pipeline and credentials (see <see cref="SendAsync"/>),
/// so that one code path serves every kind of object a service ships.
/// </summary>
public static class KubernetesRequests
{
    /// <summary>
    /// Server-side apply (https://kubernetes.io/docs/reference/using-api/server-side-apply/): the apply-patch+yaml
    /// content type with a JSON body (JSON is YAML), field manager <c>onward</c>, conflicts forced, and strict field
    /// validation as kubectl asks for by default, so that a misspelt field fails instead of vanishing.
    /// </summary>
    public static Task<(bool Ok, string Detail)> ApplyAsync(k8s.Kubernetes client, RenderedObject item, CancellationToken cancellationToken) =>
        ApplyAsync(client, item, SecretText.None, cancellationToken);

    /// <param name="secrets">The object's secret values, masked in what the API server or an admission webhook answers.</param>
    public static async Task<(bool Ok, string Detail)> ApplyAsync(k8s.Kubernetes client, RenderedObject item, SecretText secrets, CancellationToken cancellationToken)
    {
        if (item.Secrets is not null)
        {
            throw new InvalidOperationException($"{item.Describe()} holds *** for its secret values; it is applied only with them put back");
        }
        var path = item.Kind.ObjectPath(item.Namespace, item.Name, null, ("fieldManager", "onward"), ("force", "true"), ("fieldValidation", "Strict"));
        using var request = new HttpRequestMessage(HttpMethod.Patch, Url(client, path))
        {
            Content = new StringContent(item.Body.ToJsonString(), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/apply-patch+yaml");
        using var response = await SendAsync(client, request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode && !Failures.IsPermanentStatus(status))
        {
            // The API server is busy or down, not refusing the object: the step is tried again.
            throw new KubernetesException($"the API server answered {status} {secrets.Mask(Message(body))} to the apply of {item.Describe()}", status);
        }
        return response.IsSuccessStatusCode ? (true, body) : (false, $"{status} {secrets.Mask(Message(body))}");
    }

    /// <summary>Deletes an object, its dependents in the background; an object already gone counts as deleted.</summary>
    public static async Task<(bool Ok, string Detail)> DeleteAsync(k8s.Kubernetes client, ResourceMapping kind, string? ns, string name, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, Url(client, kind.ObjectPath(ns, name, null, ("propagationPolicy", "Background"))));
        using var response = await SendAsync(client, request, cancellationToken);
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode || status == 404)
        {
            return (true, status == 404 ? "already gone" : "deleted");
        }
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!Failures.IsPermanentStatus(status))
        {
            throw new KubernetesException($"the API server answered {status} {Message(body)} to the deletion of {kind.Kind}/{name}", status);
        }
        return (false, $"{status} {Message(body)}");
    }

    /// <summary>A JSON merge patch (RFC 7386: maps merge, lists are replaced whole, null removes) under the field manager <paramref name="manager"/>.</summary>
    public static async Task<(bool Ok, string Detail)> MergePatchAsync(k8s.Kubernetes client, string path, JsonObject patch, string manager, CancellationToken cancellationToken)
    {
        var separator = path.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        using var request = new HttpRequestMessage(HttpMethod.Patch, Url(client, $"{path}{separator}fieldManager={Uri.EscapeDataString(manager)}"))
        {
            Content = new StringContent(patch.ToJsonString(), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        using var response = await SendAsync(client, request, cancellationToken);
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode && !Failures.IsPermanentStatus(status))
        {
            throw new KubernetesException($"the API server answered {status} {Message(body)} to a patch of {path}", status);
        }
        return response.IsSuccessStatusCode ? (true, body) : (false, $"{status} {Message(body)}");
    }

    /// <summary>A GET with its status: 200 with the body, or the status and the API server's message.</summary>
    public static async Task<(int Status, JsonObject? Body, string Message)> ReadAsync(k8s.Kubernetes client, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(client, path));
        using var response = await SendAsync(client, request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return ((int)response.StatusCode, null, Message(text));
        }
        try
        {
            return (200, JsonNode.Parse(text) as JsonObject, "");
        }
        catch (System.Text.Json.JsonException e)
        {
            return (502, null, $"not JSON: {e.Message}");
        }
    }

    public static async Task<JsonObject?> GetAsync(k8s.Kubernetes client, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(client, path));
        using var response = await SendAsync(client, request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) as JsonObject;
    }

    public static async Task<string> TextAsync(k8s.Kubernetes client, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(client, path));
        using var response = await SendAsync(client, request, cancellationToken);
        return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(cancellationToken) : "";
    }

    /// <summary>A watch stream: one JSON event per line (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes).</summary>
    public static async IAsyncEnumerable<JsonObject> WatchAsync(
        k8s.Kubernetes client, string path, string resourceVersion, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var separator = path.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(client, $"{path}{separator}watch=true&allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}"));
        using var response = await SendAsync(client, request, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            yield return new JsonObject { ["type"] = "ERROR", ["object"] = new JsonObject { ["code"] = (int)response.StatusCode } };
            yield break;
        }
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0 && JsonNode.Parse(line) is JsonObject e)
            {
                yield return e;
            }
        }
    }

    public static Uri Url(k8s.Kubernetes client, string path) => new(client.BaseUri, path.TrimStart('/'));

    /// <summary>
    /// Sends through the client's HTTP pipeline (its TLS settings and client certificate) with its credentials: a bearer
    /// token (from a kubeconfig, <c>server</c>/<c>token</c>, or a service account's file, read again as it rotates) is
    /// added per request by the client, not by its pipeline.
    /// </summary>
    private static async Task<HttpResponseMessage> SendAsync(
        k8s.Kubernetes client, HttpRequestMessage request, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }
        return await client.HttpClient.SendAsync(request, completion, cancellationToken);
    }

    private static string Message(string body)
    {
        try
        {
            return (JsonNode.Parse(body)?["message"] as JsonValue)?.ToString() ?? body;
        }
        catch (System.Text.Json.JsonException)
        {
            return body;
        }
    }
}
