using System.Diagnostics;

namespace Onward.Testing.Kubernetes;

/// <summary><c>Onward.Testing.Cluster</c> as a process of its own: the simulated cluster as benchmarks and outside checks use it.</summary>
public sealed class SimulatedClusterProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SimulatedClusterProcess(Process process, int port, string kubeconfig, string readyLine)
    {
        _process = process;
        Url = $"http://127.0.0.1:{port}";
        Kubeconfig = kubeconfig;
        ReadyLine = readyLine;
    }

    public string Url { get; }

    public string Kubeconfig { get; }

    /// <summary>The one line the process printed when it started serving.</summary>
    public string ReadyLine { get; }

    public static async Task<SimulatedClusterProcess> StartAsync(string kubeconfig, params string[] namespaces)
    {
        var port = Ports.Free();
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Paths.SimulatedClusterDll, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--kubeconfig", kubeconfig }
            .Concat(namespaces.SelectMany(n => new[] { "--namespace", n })))
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null)
        {
            throw new InvalidOperationException($"the simulated cluster exited before serving: {await process.StandardError.ReadToEndAsync(timeout.Token)}");
        }
        return new SimulatedClusterProcess(process, port, kubeconfig, line);
    }

    /// <summary>Stops it with SIGTERM, as a terminal's Ctrl+C or a supervisor would, and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
