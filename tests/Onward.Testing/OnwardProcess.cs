using System.Diagnostics;

namespace Onward.Testing;

/// <summary><c>onward serve</c> as a separate process, so that tests can kill it the hard way.</summary>
public sealed class OnwardProcess : IAsyncDisposable
{
    private readonly Process _process;

    private OnwardProcess(Process process, Uri url, string log)
    {
        _process = process;
        Url = url;
        Log = log;
        Api = new OnwardApi(url);
    }

    public Uri Url { get; }

    public string Log { get; }

    public OnwardApi Api { get; }

    public int Pid => _process.Id;

    /// <param name="extra">More arguments for <c>onward serve</c>, e.g. <c>--listen URL</c> for a second replica.</param>
    public static Task<OnwardProcess> StartAsync(string configPath, Uri url, string log, params string[] extra) =>
        StartAsync(configPath, url, log, new Dictionary<string, string>(), extra);

    /// <param name="environment">Variables added to the server's environment, e.g. <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</param>
    public static Task<OnwardProcess> StartAsync(string configPath, Uri url, string log, IReadOnlyDictionary<string, string> environment, params string[] extra) =>
        StartWrappedAsync([], configPath, url, log, environment, extra);

    /// <param name="wrapper">A program and its arguments that run <c>dotnet onward.dll serve …</c> in the end (with exec, so the process is the server), e.g. to give it a mount namespace of its own.</param>
    public static async Task<OnwardProcess> StartWrappedAsync(
        IReadOnlyList<string> wrapper, string configPath, Uri url, string log, IReadOnlyDictionary<string, string> environment, params string[] extra)
    {
        var info = new ProcessStartInfo(wrapper.Count > 0 ? wrapper[0] : "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(configPath)!,
        };
        foreach (var argument in wrapper.Skip(1).Concat(wrapper.Count > 0 ? ["dotnet"] : []).Concat([Paths.OnwardDll, "serve", "--config", configPath]).Concat(extra))
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        var process = Process.Start(info)!;
        var writer = new StreamWriter(log, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (writer) { writer.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (writer) { writer.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var onward = new OnwardProcess(process, url, log);
        try
        {
            await WaitHealthyAsync(onward, process, log);
        }
        catch
        {
            // Never left running when it did not come up.
            await onward.DisposeAsync();
            throw;
        }
        return onward;
    }

    private static async Task WaitHealthyAsync(OnwardProcess onward, Process process, string log) =>
        await Eventually.WaitAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"onward serve exited with {process.ExitCode}: {await File.ReadAllTextAsync(log)}");
            }
            try
            {
                return (await onward.Api.Http.GetAsync("healthz")).IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too busy starting to answer within the client's timeout.
                return false;
            }
        }, "onward serve to answer /healthz", TimeSpan.FromSeconds(60));

    /// <summary>SIGTERM, as a service manager stops the server, waiting until it has exited.</summary>
    public async Task StopAsync()
    {
        using (var terminate = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
        {
            await terminate.WaitForExitAsync();
        }
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(patience.Token);
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }
}
