using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Onward.Integrations.LocalProcesses;

/// <summary>Requests one version of a service answered with one status code (cumulative since the forwarder started).</summary>
public sealed record TrafficCount(string Service, string Version, int Code, long Count);

/// <summary>How long one version's requests took: per bucket of <see cref="ForwarderTraffic.Bounds"/> (the last is +Inf), their count and sum.</summary>
public sealed record TrafficLatency(string Service, string Version, long Count, double Sum, IReadOnlyList<long> Buckets);

/// <summary>
/// What an environment's forwarder saw in HTTP mode: requests per service, version and status code, and their
/// durations as a histogram. The forwarder keeps them in memory and writes them to <c>traffic</c> in its directory
/// (replaced whole) at most a few times a second; the server reads that file for its <c>/metrics</c> and to count a
/// canary's requests. Counts start again at zero when the forwarder does, as Prometheus counters may.
/// </summary>
public sealed class ForwarderTraffic
{
    public const string File = "traffic";

    /// <summary>Upper bounds, in seconds, of the duration histogram's buckets (Prometheus's defaults).</summary>
    public static readonly IReadOnlyList<double> Bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly ConcurrentDictionary<(string Service, string Version, int Code), StrongBox<long>> _counts = new();
    private readonly ConcurrentDictionary<(string Service, string Version), Histogram> _latencies = new();
    private int _dirty;

    public void Record(string service, string version, int code, double seconds)
    {
        Interlocked.Increment(ref _counts.GetOrAdd((service, version, code), _ => new StrongBox<long>()).Value);
        var histogram = _latencies.GetOrAdd((service, version), _ => new Histogram());
        var bucket = 0;
        while (bucket < Bounds.Count && seconds > Bounds[bucket])
        {
            bucket++;
        }
        lock (histogram)
        {
            histogram.Buckets[bucket]++;
            histogram.Count++;
            histogram.Sum += seconds;
        }
        Volatile.Write(ref _dirty, 1);
    }

    /// <summary>Writes the file when something was recorded since the last write.</summary>
    public void WriteIfChanged(string file)
    {
        if (Interlocked.Exchange(ref _dirty, 0) == 0)
        {
            return;
        }
        var text = new StringBuilder();
        foreach (var ((service, version, code), count) in _counts)
        {
            text.Append(CultureInfo.InvariantCulture, $"requests {service} {ForwarderRoutes.Encode(version)} {code} {Interlocked.Read(ref count.Value)}\n");
        }
        foreach (var ((service, version), histogram) in _latencies)
        {
            lock (histogram)
            {
                text.Append(CultureInfo.InvariantCulture, $"latency {service} {ForwarderRoutes.Encode(version)} {histogram.Count} {histogram.Sum.ToString("R", CultureInfo.InvariantCulture)} {string.Join(' ', histogram.Buckets)}\n");
            }
        }
        var aside = file + ".tmp";
        System.IO.File.WriteAllText(aside, text.ToString());
        System.IO.File.Move(aside, file, overwrite: true);
    }

    /// <summary>What a forwarder wrote; empty when it wrote nothing (yet) or the file cannot be read now.</summary>
    public static (IReadOnlyList<TrafficCount> Counts, IReadOnlyList<TrafficLatency> Latencies) Read(string file)
    {
        var counts = new List<TrafficCount>();
        var latencies = new List<TrafficLatency>();
        string text;
        try
        {
            text = System.IO.File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (counts, latencies);
        }
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            if (parts is ["requests", var service, var version, var code, var count]
                && int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && long.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                counts.Add(new TrafficCount(service, ForwarderRoutes.Decode(version), c, n));
            }
            else if (parts.Length == 5 + Bounds.Count + 1 && parts[0] == "latency"
                && long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var total)
                && double.TryParse(parts[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var sum))
            {
                var buckets = parts[5..].Select(b => long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0).ToList();
                latencies.Add(new TrafficLatency(parts[1], ForwarderRoutes.Decode(parts[2]), total, sum, buckets));
            }
        }
        return (counts, latencies);
    }

    private sealed class Histogram
    {
        public long[] Buckets { get; } = new long[Bounds.Count + 1];

        public long Count { get; set; }

        public double Sum { get; set; }
    }
}
