using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Onward.Core.Configuration;
using Onward.Core.Images;

namespace Onward.Integrations.Registry;

/// <summary>
/// Speaks the OCI distribution API (https://github.com/opencontainers/distribution-spec/blob/main/spec.md): resolves
/// tags to digests, reads manifests, configs and blobs. Authenticates with basic credentials or the
/// <c>WWW-Authenticate: Bearer</c> token flow (https://distribution.github.io/distribution/spec/auth/token/).
/// Plain HTTP only for registries marked <c>insecure</c>.
/// </summary>
public sealed partial class RegistryClient : IDisposable
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    private static readonly string[] ManifestTypes = [OciManifest, OciIndex, DockerManifest, DockerManifestList];

    private readonly IReadOnlyList<RegistryConfig> _registries;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<(string Host, string Scope), (string Token, DateTimeOffset Until)> _tokens = new();
    private readonly ConcurrentDictionary<string, bool> _basicHosts = new(StringComparer.Ordinal);

    public RegistryClient(IReadOnlyList<RegistryConfig> registries)
    {
        _registries = registries;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>The digest the reference's tag points at, or null when the registry has no such manifest.</summary>
    public async Task<string?> ResolveDigestAsync(ImageReference image, CancellationToken cancellationToken)
    {
        using var head = await SendAsync(image, () => Manifest(HttpMethod.Head, image, image.Reference), cancellationToken);
        if (head.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        Ensure(head, image);
        if (head.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { } digest)
        {
            return digest;
        }
        // Not every registry sends the digest on HEAD; the manifest's own bytes give it.
        using var get = await SendAsync(image, () => Manifest(HttpMethod.Get, image, image.Reference), cancellationToken);
        Ensure(get, image);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(await get.Content.ReadAsByteArrayAsync(cancellationToken)));
    }

    /// <summary>The manifest for linux/amd64 (picked from an index or manifest list when the reference names one).</summary>
    public async Task<ImageManifest> GetManifestAsync(ImageReference image, string digest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(image, () => Manifest(HttpMethod.Get, image, digest), cancellationToken);
        Ensure(response, image);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var root = document.RootElement;
        var mediaType = root.TryGetProperty("mediaType", out var m) ? m.GetString() : response.Content.Headers.ContentType?.MediaType;
        if (mediaType is OciIndex or DockerManifestList || root.TryGetProperty("manifests", out _))
        {
            var chosen = root.GetProperty("manifests").EnumerateArray().FirstOrDefault(e =>
                e.TryGetProperty("platform", out var p) && p.GetProperty("os").GetString() == "linux" && p.GetProperty("architecture").GetString() == "amd64");
            if (chosen.ValueKind != JsonValueKind.Object)
            {
                throw new RegistryException($"{image.Name}@{digest} has no linux/amd64 image");
            }
            return await GetManifestAsync(image, chosen.GetProperty("digest").GetString()!, cancellationToken);
        }
        return new ImageManifest(digest, ToDescriptor(root.GetProperty("config")), root.GetProperty("layers").EnumerateArray().Select(ToDescriptor).ToList());
    }

    public async Task<ImageConfig> GetConfigAsync(ImageReference image, ImageManifest manifest, CancellationToken cancellationToken)
    {
        await using var stream = await GetBlobAsync(image, manifest.Config.Digest, cancellationToken);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        var config = document.RootElement.TryGetProperty("config", out var c) ? c : default;
        static List<string> Strings(JsonElement parent, string name) =>
            parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
                ? value.EnumerateArray().Select(v => v.GetString() ?? "").ToList()
                : [];
        var labels = config.ValueKind == JsonValueKind.Object && config.TryGetProperty("Labels", out var l) && l.ValueKind == JsonValueKind.Object
            ? l.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "")
            : [];
        var workingDir = config.ValueKind == JsonValueKind.Object && config.TryGetProperty("WorkingDir", out var w) ? w.GetString() : null;
        return new ImageConfig(labels, Strings(config, "Entrypoint"), Strings(config, "Cmd"), Strings(config, "Env"), string.IsNullOrEmpty(workingDir) ? null : workingDir);
    }

    /// <summary>A blob's content, checked against its digest as it is read to the end.</summary>
    public async Task<Stream> GetBlobAsync(ImageReference image, string digest, CancellationToken cancellationToken)
    {
        var response = await SendAsync(image, () => new HttpRequestMessage(HttpMethod.Get, Url(image, $"blobs/{digest}")), cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        Ensure(response, image);
        return new DigestCheckingStream(await response.Content.ReadAsStreamAsync(cancellationToken), digest, response);
    }

    /// <summary>The repository's tags (every page of <c>GET /v2/NAME/tags/list</c>), or an empty list when it has none.</summary>
    public async Task<IReadOnlyList<string>> ListTagsAsync(ImageReference image, CancellationToken cancellationToken)
    {
        var tags = new List<string>();
        var path = "tags/list?n=1000";
        for (var page = 0; page < 100 && path is not null; page++)
        {
            var url = Url(image, path);
            using var response = await SendAsync(image, () => new HttpRequestMessage(HttpMethod.Get, url), cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return tags;
            }
            Ensure(response, image);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (document.RootElement.TryGetProperty("tags", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                tags.AddRange(list.EnumerateArray().Select(t => t.GetString()).OfType<string>());
            }
            // The next page, when there is one: Link: </v2/NAME/tags/list?n=1000&last=TAG>; rel="next".
            var next = response.Headers.TryGetValues("Link", out var links) ? NextPageRegex().Match(string.Join(',', links)) : Match.Empty;
            path = next.Success && next.Groups[1].Value.Contains("/tags/list?", StringComparison.Ordinal)
                ? next.Groups[1].Value[(next.Groups[1].Value.IndexOf("/tags/list?", StringComparison.Ordinal) + 1)..]
                : null;
        }
        return tags;
    }

    public void Dispose() => _http.Dispose();

    private HttpRequestMessage Manifest(HttpMethod method, ImageReference image, string reference)
    {
        var request = new HttpRequestMessage(method, Url(image, $"manifests/{reference}"));
        foreach (var type in ManifestTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }
        return request;
    }

    private Uri Url(ImageReference image, string path) =>
        new($"{(RegistryCredentials.IsInsecure(image.Registry, _registries) ? "http" : "https")}://{image.ApiHost}/v2/{image.Repository}/{path}");

    private async Task<HttpResponseMessage> SendAsync(
        ImageReference image, Func<HttpRequestMessage> create, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        var scope = $"repository:{image.Repository}:pull";
        var request = create();
        if (_tokens.TryGetValue((image.Registry, scope), out var cached) && cached.Until > DateTimeOffset.UtcNow)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", cached.Token);
        }
        else if (_basicHosts.ContainsKey(image.Registry) && RegistryCredentials.For(image.Registry, _registries) is { } known)
        {
            // A registry that asked for basic credentials once gets them up front, saving a 401 round trip each time.
            request.Headers.Authorization = Basic(known);
        }
        var response = await SendOnceAsync(request, image, completion, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }
        var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
        response.Dispose();
        var credentials = RegistryCredentials.For(image.Registry, _registries);
        var retry = create();
        if (challenge?.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) == true)
        {
            var token = await TokenAsync(image, challenge.Parameter ?? "", scope, credentials, cancellationToken);
            retry.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (credentials is { } basic)
        {
            retry.Headers.Authorization = Basic(basic);
            _basicHosts[image.Registry] = true;
        }
        else
        {
            throw new RegistryException(
                $"{image.Registry} wants credentials; set `registries: {{ \"{image.Registry}\": {{ username: …, password: … }} }}` or `dockerConfig` in onward.yaml", 401);
        }
        var second = await SendOnceAsync(retry, image, completion, cancellationToken);
        if (second.StatusCode == HttpStatusCode.Unauthorized)
        {
            second.Dispose();
            throw new RegistryException(credentials is { } used
                ? $"{image.Registry} refused the credentials of user '{used.User}' for {image.Repository}"
                : $"{image.Registry} refused anonymous access to {image.Repository}; set credentials for it in onward.yaml", 401);
        }
        return second;
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, ImageReference image, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            using (request)
            {
                return await _http.SendAsync(request, completion, cancellationToken);
            }
        }
        catch (HttpRequestException e)
        {
            var hint = request.RequestUri!.Scheme == "https" && e.InnerException is IOException or System.Security.Authentication.AuthenticationException
                ? $"; a registry that speaks plain HTTP must be marked `insecure: true` under registries.\"{image.Registry}\""
                : "";
            throw new RegistryException($"cannot reach {image.Registry}: {e.Message}{hint}");
        }
    }

    private async Task<string> TokenAsync(ImageReference image, string parameters, string scope, (string User, string Password)? credentials, CancellationToken cancellationToken)
    {
        var fields = ChallengeRegex().Matches(parameters).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.OrdinalIgnoreCase);
        if (!fields.TryGetValue("realm", out var realm))
        {
            throw new RegistryException($"{image.Registry} asked for a bearer token without saying where to get one");
        }
        var query = new List<string>();
        if (fields.TryGetValue("service", out var service))
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }
        query.Add("scope=" + Uri.EscapeDataString(fields.GetValueOrDefault("scope") ?? scope));
        using var request = new HttpRequestMessage(HttpMethod.Get, realm + (realm.Contains('?', StringComparison.Ordinal) ? "&" : "?") + string.Join('&', query));
        if (credentials is { } basic)
        {
            request.Headers.Authorization = Basic(basic);
        }
        using var response = await _http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new RegistryException(credentials is { } used
                ? $"{image.Registry}'s token service refused the credentials of user '{used.User}' ({(int)response.StatusCode})"
                : $"{image.Registry}'s token service refused anonymous access ({(int)response.StatusCode}); set credentials for it in onward.yaml", (int)response.StatusCode);
        }
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var token = (document.RootElement.TryGetProperty("token", out var t) ? t.GetString() : null)
            ?? (document.RootElement.TryGetProperty("access_token", out var a) ? a.GetString() : null)
            ?? throw new RegistryException($"{image.Registry}'s token service answered without a token");
        var lifetime = document.RootElement.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) ? seconds : 60;
        _tokens[(image.Registry, scope)] = (token, DateTimeOffset.UtcNow.AddSeconds(Math.Max(10, lifetime - 10)));
        return token;
    }

    private static AuthenticationHeaderValue Basic((string User, string Password) credentials) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.User}:{credentials.Password}")));

    private static void Ensure(HttpResponseMessage response, ImageReference image)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new RegistryException($"{image.Registry} answered {(int)response.StatusCode} {response.ReasonPhrase} for {image}", (int)response.StatusCode);
        }
    }

    private static Descriptor ToDescriptor(JsonElement element) =>
        new(element.GetProperty("mediaType").GetString() ?? "", element.GetProperty("digest").GetString()!, element.GetProperty("size").GetInt64());

    [GeneratedRegex(@"(\w+)=""([^""]*)""")]
    private static partial Regex ChallengeRegex();

    [GeneratedRegex(@"<([^>]+)>\s*;\s*rel=""?next""?")]
    private static partial Regex NextPageRegex();
}
