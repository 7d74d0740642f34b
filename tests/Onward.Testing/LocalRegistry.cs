using System.Diagnostics;

namespace Onward.Testing;

/// <summary>A real OCI registry (Debian's docker-registry) on a loopback port, optionally behind basic auth.</summary>
public sealed class LocalRegistry : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _dir;

    private LocalRegistry(Process process, TempDirectory dir, int port, (string User, string Password)? credentials)
    {
        _process = process;
        _dir = dir;
        Port = port;
        Credentials = credentials;
    }

    public int Port { get; }

    public string Host => $"127.0.0.1:{Port}";

    public (string User, string Password)? Credentials { get; }

    public static async Task<LocalRegistry> StartAsync((string User, string Password)? credentials = null)
    {
        var dir = new TempDirectory();
        var port = Ports.Free();
        var auth = "";
        if (credentials is { } c)
        {
            var htpasswd = Process.Start(new ProcessStartInfo("htpasswd", ["-Bbn", c.User, c.Password]) { RedirectStandardOutput = true, UseShellExecute = false })!;
            var line = await htpasswd.StandardOutput.ReadToEndAsync();
            await htpasswd.WaitForExitAsync();
            await File.WriteAllTextAsync(dir.Combine("htpasswd"), line);
            auth = $"auth:\n  htpasswd:\n    realm: onward-test\n    path: {dir.Combine("htpasswd")}\n";
        }
        await File.WriteAllTextAsync(dir.Combine("config.yml"), $"""
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: {dir.Combine("storage")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            {auth}
            """);
        var process = Process.Start(new ProcessStartInfo("docker-registry", ["serve", dir.Combine("config.yml")])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("docker-registry could not be started; run scripts/setup.sh");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new LocalRegistry(process, dir, port, credentials);
        using var http = new HttpClient();
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{port}/v2/");
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "docker-registry to listen", TimeSpan.FromSeconds(30));
        return registry;
    }

    /// <summary>
    /// Pushes a small image (a config blob and no layers, an OCI manifest) through the distribution API, as an external
    /// CI would push a build, in milliseconds: for tests that need releases, not containers. Returns its digest.
    /// </summary>
    public async Task<string> PushTinyImageAsync(string repository, string tag, string label = "")
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{Host}/") };
        var config = System.Text.Encoding.UTF8.GetBytes($$$"""{"architecture":"amd64","os":"linux","config":{"Labels":{"test.onward.dev/label":"{{{label}}}{{{tag}}}"}},"rootfs":{"type":"layers","diff_ids":[]}}""");
        var configDigest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(config));
        using (var start = await http.PostAsync($"v2/{repository}/blobs/uploads/", null))
        {
            start.EnsureSuccessStatusCode();
            var location = start.Headers.Location!.ToString();
            var separator = location.Contains('?', StringComparison.Ordinal) ? "&" : "?";
            using var upload = await http.PutAsync($"{location}{separator}digest={Uri.EscapeDataString(configDigest)}", new ByteArrayContent(config));
            upload.EnsureSuccessStatusCode();
        }
        var manifest = System.Text.Encoding.UTF8.GetBytes($$$"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{{configDigest}}}","size":{{{config.Length}}}},"layers":[]}
            """.Trim());
        using var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json");
        using var put = await http.PutAsync($"v2/{repository}/manifests/{tag}", content);
        put.EnsureSuccessStatusCode();
        return "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(manifest));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        await _dir.DisposeAsync();
    }
}
