using System.Collections.Concurrent;
using System.Diagnostics;
using Onward.Core.Configuration;
using Onward.Integrations.Registry;
using Onward.Testing;
using Spectre.Console;
using Onward.Core.Images;

namespace Onward.Bench;

/// <summary>
/// Digest resolution against Debian's docker-registry on loopback: Onward's registry client next to a bare
/// HttpClient HEAD of the same manifest (the floor any client pays), one at a time and with 32 in flight.
/// </summary>
public static class RegistryBenchmark
{
    public static async Task RunAsync(int count, bool withAuth)
    {
        await using var dir = new TempDirectory();
        await using var registry = await LocalRegistry.StartAsync(withAuth ? ("bench", "bench-pass") : null);
        var repo = await GitRepository.InitAsync(dir.Combine("image"));
        await TestImages.AddToAsync(repo);
        Directory.CreateDirectory(dir.Combine("buildah"));
        var reference = $"{registry.Host}/acme/hello:v1";
        await TestImages.BuildAndPushAsync(repo.Path, withAuth ? $"{registry.Host}/acme/hello:v1" : reference, dir.Combine("buildah"), withAuth ? ("bench", "bench-pass") : null);
        using var client = new RegistryClient([new RegistryConfig(registry.Host, true, withAuth ? "bench" : null, withAuth ? "bench-pass" : null, null)]);
        var image = ImageReference.Parse(reference);
        using var bare = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 });
        var url = $"http://{registry.Host}/v2/acme/hello/manifests/v1";
        if (withAuth)
        {
            bare.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("bench:bench-pass"u8.ToArray()));
        }

        async Task Onward() => _ = await client.ResolveDigestAsync(image, CancellationToken.None) ?? throw new InvalidOperationException("no digest");
        async Task Bare()
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, url);
            request.Headers.Accept.ParseAdd(RegistryClient.OciManifest);
            using var response = await bare.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }

        var table = new Table().Title($"Digest resolution, {count} per row, docker-registry on loopback{(withAuth ? " with basic auth" : "")}")
            .AddColumns("client", "one at a time: median", "p99", "32 in flight: resolutions/s", "p99");
        foreach (var (name, resolve) in new (string, Func<Task>)[] { ("bare HEAD (baseline)", Bare), ("Onward RegistryClient", Onward) })
        {
            for (var i = 0; i < 50; i++)
            {
                await resolve();
            }
            var serial = new List<double>();
            for (var i = 0; i < count; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await resolve();
                serial.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            var parallel = new ConcurrentBag<double>();
            var next = -1;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Increment(ref next) < count)
                {
                    var started = Stopwatch.GetTimestamp();
                    await resolve();
                    parallel.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            })));
            var rate = count / clock.Elapsed.TotalSeconds;
            table.AddRow(name, $"{Stats.Percentile(serial, 50):0.00} ms", $"{Stats.Percentile(serial, 99):0.00} ms", $"{rate:0}", $"{Stats.Percentile(parallel.ToList(), 99):0.00} ms");
        }
        AnsiConsole.Write(table);
    }
}
