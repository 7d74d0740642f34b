using System.Diagnostics;
using System.Text.RegularExpressions;
using Onward.Contracts.Deployments;
using Onward.Contracts.Releases;
using Onward.Testing;

namespace Onward.Bench;

/// <summary>A real <c>onward serve</c> process over a generated set of repositories, and the figures read back from it.</summary>
public sealed partial class BenchServer : IAsyncDisposable
{
    private readonly TempDirectory _dir;
    private readonly OnwardProcess _process;

    private readonly bool _ownsDirectory;

    private BenchServer(TempDirectory dir, OnwardProcess process, bool ownsDirectory = true)
    {
        _dir = dir;
        _process = process;
        _ownsDirectory = ownsDirectory;
    }

    public OnwardApi Api => _process.Api;

    public string DataDir => _dir.Combine(".onward");

    /// <summary>Compiles the instantly healthy service (bench/Onward.Bench/healthy.c) into <paramref name="dir"/>.</summary>
    public static async Task<string> CompileHealthyAsync(TempDirectory dir)
    {
        var output = dir.Combine("healthy");
        var gcc = Process.Start(new ProcessStartInfo("gcc", ["-O2", "-o", output, Path.Combine(AppContext.BaseDirectory, "healthy.c")]) { UseShellExecute = false })!;
        await gcc.WaitForExitAsync();
        return gcc.ExitCode == 0 ? output : throw new InvalidOperationException("gcc could not compile healthy.c");
    }

    public static async Task<BenchServer> StartAsync(TempDirectory dir, string yaml)
    {
        var port = int.Parse(PortRegex().Match(yaml).Groups[1].Value);
        var config = dir.Combine("onward.yaml");
        await File.WriteAllTextAsync(config, yaml);
        var process = await OnwardProcess.StartAsync(config, new Uri($"http://127.0.0.1:{port}/"), dir.Combine("server.log"));
        return new BenchServer(dir, process);
    }

    /// <summary>Another replica of the server <see cref="StartAsync"/> started in <paramref name="dir"/>: same onward.yaml, its own address.</summary>
    public static async Task<BenchServer> StartReplicaAsync(TempDirectory dir, int port)
    {
        var process = await OnwardProcess.StartAsync(dir.Combine("onward.yaml"), new Uri($"http://127.0.0.1:{port}/"), dir.Combine($"server-{port}.log"),
            "--listen", $"http://127.0.0.1:{port}");
        return new BenchServer(dir, process, ownsDirectory: false);
    }

    /// <summary>The YAML with <c>server.database</c> pointed at <paramref name="url"/> instead of the SQLite file.</summary>
    public static string OnDatabase(string yaml, string? url) =>
        url is null ? yaml : yaml.Replace("database: sqlite:onward.db", $"database: \"{url}\"", StringComparison.Ordinal);

    public string ServerLog() => File.ReadAllText(_dir.Combine("server.log"));

    /// <summary>Peak and current resident memory of the server process, in MB.</summary>
    public (double Peak, double Current) Memory()
    {
        var status = File.ReadAllLines($"/proc/{_process.Pid}/status");
        double Read(string key) => double.Parse(status.First(l => l.StartsWith(key, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        return (Read("VmHWM:"), Read("VmRSS:"));
    }

    /// <summary>Onward's own share of one deployment: commit seen → verified, minus the build and the process's start-up.</summary>
    public async Task<(double Total, double Overhead)> MeasureAsync(ReleaseResponse release, DeploymentResponse deployment)
    {
        var full = await Api.DeploymentAsync(deployment.Id);
        var succeeded = full.Events.Single(e => e.State == DeploymentState.Succeeded).At;
        At("seen → build started", release.CreatedAt, release.BuildStartedAt!.Value);
        At("build: clone, run, notice the end", release.BuildStartedAt!.Value, release.BuildFinishedAt!.Value);
        At("build finished → queued", release.BuildFinishedAt!.Value, full.Events[0].At);
        At("queued → applying", full.Events[0].At, full.Events.First(e => e.State == DeploymentState.Applying).At);
        At("applying → verifying (process started)", full.Events.First(e => e.State == DeploymentState.Applying).At, full.Events.First(e => e.State == DeploymentState.Verifying).At);
        At("verifying → succeeded", full.Events.First(e => e.State == DeploymentState.Verifying).At, succeeded);
        // The build command's own run time, from its process's files: cloning the work tree and noticing the end are
        // Onward's, and count as overhead.
        var builds = Path.Combine(DataDir, "builds", release.Id.ToString());
        var build = File.Exists(Path.Combine(builds, "exit"))
            ? (File.GetLastWriteTimeUtc(Path.Combine(builds, "exit")) - File.GetLastWriteTimeUtc(Path.Combine(builds, "pid"))).TotalMilliseconds
            : 0;
        var instance = Path.Combine(DataDir, "instances", deployment.Id.ToString());
        var started = new DateTimeOffset(File.GetLastWriteTimeUtc(Path.Combine(instance, "pid"))).ToUnixTimeMilliseconds();
        var listening = long.Parse(ListeningRegex().Match(await File.ReadAllTextAsync(Path.Combine(instance, "output.log"))).Groups[1].Value);
        var total = (succeeded - release.CreatedAt).TotalMilliseconds;
        return (total, total - build - Math.Max(0, listening - started));
    }

    /// <summary>Where the time goes: milliseconds per phase, over every measured deployment.</summary>
    public Dictionary<string, List<double>> Phases { get; } = [];

    private void At(string phase, DateTimeOffset from, DateTimeOffset to)
    {
        if (!Phases.TryGetValue(phase, out var list))
        {
            Phases[phase] = list = [];
        }
        list.Add((to - from).TotalMilliseconds);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        if (_ownsDirectory)
        {
            await _dir.DisposeAsync();
        }
    }

    [GeneratedRegex(@"listen: http://127\.0\.0\.1:(\d+)")]
    private static partial Regex PortRegex();

    [GeneratedRegex(@"listening (\d+)")]
    private static partial Regex ListeningRegex();
}
