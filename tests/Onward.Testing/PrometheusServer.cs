using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Onward.Testing;

/// <summary>
/// A real Prometheus (Debian's package, installed by scripts/setup.sh) on a loopback port with its own storage,
/// scraping Onward's <c>/metrics</c> every second (with a token where Onward asks for one).
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _directory;

    private PrometheusServer(Process process, TempDirectory directory, Uri url) => (_process, _directory, Url) = (process, directory, url);

    public Uri Url { get; }

    /// <param name="port">Its port, where it must be known before it starts (an onward.yaml naming it); a free one otherwise.</param>
    public static async Task<PrometheusServer> StartAsync(Uri onward, string? token = null, int? port = null)
    {
        var directory = new TempDirectory();
        port ??= Ports.Free();
        var authorization = token is null ? "" : $"\n    authorization: {{ credentials: \"{token}\" }}";
        await File.WriteAllTextAsync(directory.Combine("prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: onward
                static_configs:
                  - targets: ["{onward.Authority}"]{authorization}

            """);
        var info = new ProcessStartInfo("prometheus") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--config.file=" + directory.Combine("prometheus.yml"), "--storage.tsdb.path=" + directory.Combine("data"),
            $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
        })
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("prometheus could not be started; run scripts/setup.sh");
        var said = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (said)
            {
                said.AppendLine(e.Data);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var prometheus = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                if ((await http.GetAsync(new Uri(prometheus.Url, "-/ready"))).IsSuccessStatusCode)
                {
                    return prometheus;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await prometheus.DisposeAsync();
                throw new InvalidOperationException($"prometheus did not become ready: {said}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Waits until Prometheus has scraped Onward: it hands new targets to its scrapers only every 5 s after it starts,
    /// so a canary judged right after a start would find nothing.
    /// </summary>
    public Task ScrapedAsync() =>
        Eventually.WaitAsync(async () => await QueryAsync("up{job=\"onward\"}") == 1, "Prometheus to scrape Onward");

    /// <summary>An instant query's single value; null when it returns no series.</summary>
    public async Task<double?> QueryAsync(string query)
    {
        using var http = new HttpClient();
        var answer = await http.GetFromJsonAsync<JsonElement>(new Uri(Url, "api/v1/query?query=" + Uri.EscapeDataString(query)));
        var result = answer.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? null : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        await _directory.DisposeAsync();
    }
}
