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
