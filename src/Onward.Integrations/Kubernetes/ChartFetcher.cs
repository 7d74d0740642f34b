using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Onward.Core.Configuration;
using Onward.Core.Images;
using Onward.Core.Releases;
using Onward.Integrations.Registry;
using YamlDotNet.Core;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// The charts of <c>deploy.helm</c> that live in an OCI registry (Helm's media types, through Onward's registry client)
/// or a chart repository (its <c>index.yaml</c> and archives). A release's first deployment resolves the configured
/// version (a range to the highest version it allows), fetches the chart and pins the release to it by digest; every
/// later deployment of the release renders exactly that archive, fetched again only when this host has not kept it
/// (and then checked against the digest). Archives are kept under the data directory, one file per digest.
/// </summary>
public sealed class ChartFetcher(string dataDir, IReleaseStore releases, ConfigSource config) : IDisposable
{
    public const string ConfigMediaType = "application/vnd.cncf.helm.config.v1+json";
    public const string ContentMediaType = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
    private const long MostArchive = 20L << 20;
    private const long MostIndex = 64L << 20;

    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxAutomaticRedirections = 5 }) { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>The archive a release renders and what it is pinned to; or, when the chart cannot be had, why (nothing is pinned then).</summary>
    public async Task<(string? Archive, ChartPin? Pin, string? Error)> ArchiveAsync(Release release, HelmConfig helm, CancellationToken cancellationToken)
    {
        try
        {
            var pinned = await releases.ChartAsync(release.Id, cancellationToken);
            if (pinned is null)
            {
                var (resolved, file) = await ResolveAsync(helm, cancellationToken);
                pinned = await releases.PinChartAsync(release.Id, resolved, cancellationToken);
                if (pinned == resolved)
                {
                    return (file, pinned, null);
                }
            }
            return (await PinnedAsync(pinned, helm, cancellationToken), pinned, null);
        }
        catch (Exception e) when (e is ChartException or RegistryException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, null, $"fetching the chart {helm.Chart}{(helm.Name is null ? "" : " " + helm.Name)} failed, nothing was applied: {e.Message}");
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<(ChartPin Pin, string File)> ResolveAsync(HelmConfig helm, CancellationToken cancellationToken) =>
        helm.FromRegistry ? await ResolveInRegistryAsync(helm, cancellationToken) : await ResolveInRepositoryAsync(helm, cancellationToken);

    /// <summary>The archive of a pinned chart: kept here, or fetched again and checked against the pin's digest.</summary>
    private async Task<string> PinnedAsync(ChartPin pin, HelmConfig helm, CancellationToken cancellationToken)
    {
        var file = CachePath(pin.Digest);
        if (File.Exists(file))
        {
            return file;
        }
        if (pin.Location.StartsWith("oci://", StringComparison.Ordinal))
        {
            using var client = Client(pin.Location, helm);
            var reference = Reference(pin.Location);
            var (_, _, archive) = await ReadManifestAsync(client, reference, pin.Digest, cancellationToken);
            await DownloadBlobAsync(client, reference, archive, file, cancellationToken);
            return file;
        }
        var entries = await IndexEntriesAsync(pin.Location, pin.Name, helm, cancellationToken);
        var entry = entries.FirstOrDefault(e => e.Version.Text == pin.Version)
            ?? throw new ChartException($"{pin.Location} no longer lists {pin.Name} {pin.Version}, which this release is pinned to");
        var digest = await DownloadArchiveAsync(pin.Location, entry, helm, file, cancellationToken);
        if (digest != pin.Digest)
        {
            File.Delete(file);
            throw new ChartException($"{pin.Location} now serves another archive for {pin.Name} {pin.Version} ({digest}) than the one this release is pinned to ({pin.Digest}); deploy a new release to take it");
        }
        return file;
    }

    private async Task<(ChartPin, string)> ResolveInRegistryAsync(HelmConfig helm, CancellationToken cancellationToken)
    {
        using var client = Client(helm.Chart, helm);
        var reference = Reference(helm.Chart);
        var range = helm.Version!;
        string tag;
        if (range.Exact is { } exact)
        {
            tag = exact.Text;
        }
        else
        {
            // Helm writes a version's + as _ in its tag (OCI tags cannot hold a +).
            var versions = (await client.ListTagsAsync(reference, cancellationToken)).Select(t => ChartVersion.Parse(t.Replace('_', '+'))).OfType<ChartVersion>().ToList();
            tag = (range.Best(versions) ?? throw NoMatch(helm.Chart, range, versions)).Text;
        }
        var digest = await client.ResolveDigestAsync(reference with { Tag = tag.Replace('+', '_') }, cancellationToken)
            ?? throw new ChartException($"{helm.Chart} has no version {tag}");
        var (name, version, archive) = await ReadManifestAsync(client, reference, digest, cancellationToken);
        var file = CachePath(digest);
        if (!File.Exists(file))
        {
            await DownloadBlobAsync(client, reference, archive, file, cancellationToken);
        }
        return (new ChartPin(helm.Chart, name, version, digest), file);
    }

    /// <summary>A Helm chart's manifest: its config (the chart's name and version) and its one content layer.</summary>
    private static async Task<(string Name, string Version, Descriptor Archive)> ReadManifestAsync(
        RegistryClient client, ImageReference reference, string digest, CancellationToken cancellationToken)
    {
        var manifest = await client.GetManifestAsync(reference, digest, cancellationToken);
        if (manifest.Config.MediaType != ConfigMediaType)
        {
            throw new ChartException($"{reference.Name}@{digest} is not a Helm chart (its config is {manifest.Config.MediaType}, not {ConfigMediaType})");
        }
        var archive = manifest.Layers.FirstOrDefault(l => l.MediaType == ContentMediaType)
            ?? throw new ChartException($"{reference.Name}@{digest} has no layer of type {ContentMediaType}");
        if (archive.Size > MostArchive)
        {
            throw new ChartException($"{reference.Name}@{digest} is {archive.Size >> 20} MiB; a chart may be at most {MostArchive >> 20} MiB");
        }
        await using var stream = await client.GetBlobAsync(reference, manifest.Config.Digest, cancellationToken);
        using var chart = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        var name = chart.RootElement.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
        var version = chart.RootElement.TryGetProperty("version", out var v) ? v.GetString() ?? "" : "";
        return (name, version, archive);
    }

    private static async Task DownloadBlobAsync(RegistryClient client, ImageReference reference, Descriptor archive, string file, CancellationToken cancellationToken)
    {
        await using var stream = await client.GetBlobAsync(reference, archive.Digest, cancellationToken);
        await KeepAsync(stream, file, cancellationToken);
    }

    private async Task<(ChartPin, string)> ResolveInRepositoryAsync(HelmConfig helm, CancellationToken cancellationToken)
    {
        var entries = await IndexEntriesAsync(helm.Chart, helm.Name!, helm, cancellationToken);
        var range = helm.Version!;
        var chosen = range.Exact is { } exact
            ? entries.FirstOrDefault(e => e.Version.SameAs(exact))
            : range.Best(entries.Select(e => e.Version)) is { } best ? entries.First(e => e.Version == best) : null;
        if (chosen is null)
        {
            throw NoMatch($"{helm.Chart} ({helm.Name})", range, entries.Select(e => e.Version).ToList());
        }
        var temporary = CachePath("download-" + Guid.NewGuid().ToString("N"));
        var digest = await DownloadArchiveAsync(helm.Chart, chosen, helm, temporary, cancellationToken);
        var file = CachePath(digest);
        File.Move(temporary, file, overwrite: true);
        return (new ChartPin(helm.Chart, helm.Name!, chosen.Version.Text, digest), file);
    }

    private sealed record IndexEntry(ChartVersion Version, IReadOnlyList<string> Urls, string? Digest);

    /// <summary>The versions of <paramref name="name"/> a chart repository's <c>index.yaml</c> lists.</summary>
    private async Task<List<IndexEntry>> IndexEntriesAsync(string repository, string name, HelmConfig helm, CancellationToken cancellationToken)
    {
        var url = new Uri(repository.TrimEnd('/') + "/index.yaml");
        var text = Encoding.UTF8.GetString(await GetAsync(url, repository, helm, MostIndex, cancellationToken));
        JsonNode? index;
        try
        {
            index = YamlDocuments.Read(text).FirstOrDefault();
        }
        catch (YamlException e)
        {
            throw new ChartException($"{url} is not a chart repository's index: {e.Message}");
        }
        if (index?["entries"] is not JsonObject entries)
        {
            throw new ChartException($"{url} is not a chart repository's index (it has no `entries`)");
        }
        if (entries[name] is not JsonArray versions)
        {
            throw new ChartException($"{repository} has no chart named {name}{(entries.Count == 0 ? "" : $"; it has {string.Join(", ", entries.Select(e => e.Key).Take(10))}")}");
        }
        return versions.OfType<JsonObject>()
            .Select(v => (Version: ChartVersion.Parse((v["version"] as JsonValue)?.ToString() ?? ""), Entry: v))
            .Where(v => v.Version is not null)
            .Select(v => new IndexEntry(v.Version!, (v.Entry["urls"] as JsonArray ?? []).Select(u => (u as JsonValue)?.ToString()).OfType<string>().ToList(),
                (v.Entry["digest"] as JsonValue)?.ToString()))
            .ToList();
    }

    /// <summary>Downloads a repository's archive to <paramref name="file"/>; returns its SHA-256, checked against the index's digest when it gives one.</summary>
    private async Task<string> DownloadArchiveAsync(string repository, IndexEntry entry, HelmConfig helm, string file, CancellationToken cancellationToken)
    {
        var first = entry.Urls.FirstOrDefault() ?? throw new ChartException($"{repository} lists version {entry.Version.Text} without an archive to download");
        var url = new Uri(new Uri(repository.TrimEnd('/') + "/"), first);
        var bytes = await GetAsync(url, repository, helm, MostArchive, cancellationToken);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (entry.Digest is { Length: > 0 } listed && !digest.EndsWith(listed, StringComparison.OrdinalIgnoreCase))
        {
            throw new ChartException($"{url} is not the archive {repository}'s index describes (its SHA-256 is {digest[7..]}, the index says {listed})");
        }
        await KeepAsync(new MemoryStream(bytes), file, cancellationToken);
        return digest;
    }

    /// <summary>A GET of at most <paramref name="most"/> bytes, with the chart's credentials only where they belong: the repository's own host.</summary>
    private async Task<byte[]> GetAsync(Uri url, string repository, HelmConfig helm, long most, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (helm.Credentials is { } credentials && url.Authority == new Uri(repository).Authority)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}")));
        }
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new ChartException(helm.Credentials is { } used
                ? $"{url.Authority} refused the credentials of user '{used.Username}' ({(int)response.StatusCode}) for {url.AbsolutePath}"
                : $"{url.Authority} wants credentials ({(int)response.StatusCode}) for {url.AbsolutePath}; set `credentials` in deploy.helm");
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new ChartException($"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        return await BoundedContent.ReadAsync(response.Content, most, cancellationToken)
            ?? throw new ChartException($"{url} is larger than {most >> 20} MiB, the most read");
    }

    /// <summary>A registry client for the chart's host: the chart's own credentials, else those of <c>registries</c>; plain HTTP as <c>registries</c> says.</summary>
    private RegistryClient Client(string location, HelmConfig helm)
    {
        var registries = config.Current.Registries;
        var host = Reference(location).Registry;
        if (helm.Credentials is not { } credentials)
        {
            return new RegistryClient(registries);
        }
        var insecure = RegistryCredentials.IsInsecure(host, registries);
        return new RegistryClient([new RegistryConfig(host, insecure, credentials.Username, credentials.Password, null), .. registries.Where(r => r.Host != host)]);
    }

    private static ImageReference Reference(string location) => ImageReference.Parse(location["oci://".Length..]);

    private static ChartException NoMatch(string chart, ChartVersionRange range, IReadOnlyCollection<ChartVersion> versions) =>
        new($"no version of {chart} matches {range.Text}; "
            + (versions.Count == 0 ? "it has none" : $"it has {string.Join(", ", versions.OrderDescending().Take(10).Select(v => v.Text))}{(versions.Count > 10 ? ", …" : "")}"));

    private string CachePath(string digest) => Path.Combine(dataDir, "charts", digest.Replace(':', '-') + ".tgz");

    /// <summary>Writes the archive beside its place and moves it there, so that a file in the cache is always whole.</summary>
    private static async Task KeepAsync(Stream content, string file, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var partial = file + "." + Guid.NewGuid().ToString("N")[..8] + ".part";
        try
        {
            await using (var output = File.Create(partial))
            {
                await content.CopyToAsync(output, cancellationToken);
            }
            File.Move(partial, file, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private sealed class ChartException(string message) : Exception(message);
}
