using System.Globalization;
using System.Text;
using Onward.Core.Configuration;
using Onward.Integrations.LocalProcesses;

namespace Onward.Server.Insight;

/// <summary>
/// The requests the local target's stable ports relayed in HTTP mode, per service, environment and version, in the
/// Prometheus text format: <c>onward_local_http_requests_total{service,environment,version,code}</c> and the histogram
/// <c>onward_local_http_request_duration_seconds{service,environment,version}</c>. They come from the forwarders (which
/// outlive the server), so they are written from their files at each scrape rather than kept in this process.
/// </summary>
public static class LocalTrafficMetrics
{
    public static string Text(OnwardConfig config, LocalTarget local)
    {
        var counts = new StringBuilder();
        var latencies = new StringBuilder();
        foreach (var environment in config.Environments.Where(e => e.Target.Local is not null))
        {
            var (requests, durations) = local.Traffic(environment.Name);
            foreach (var count in requests)
            {
                counts.Append(CultureInfo.InvariantCulture,
                    $"onward_local_http_requests_total{{service=\"{Label(count.Service)}\",environment=\"{Label(environment.Name)}\",version=\"{Label(count.Version)}\",code=\"{count.Code}\"}} {count.Count}\n");
            }
            foreach (var latency in durations)
            {
                var labels = $"service=\"{Label(latency.Service)}\",environment=\"{Label(environment.Name)}\",version=\"{Label(latency.Version)}\"";
                long cumulative = 0;
                for (var i = 0; i < latency.Buckets.Count; i++)
                {
                    cumulative += latency.Buckets[i];
                    var bound = i < ForwarderTraffic.Bounds.Count ? ForwarderTraffic.Bounds[i].ToString(CultureInfo.InvariantCulture) : "+Inf";
                    latencies.Append(CultureInfo.InvariantCulture, $"onward_local_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}\n");
                }
                latencies.Append(CultureInfo.InvariantCulture, $"onward_local_http_request_duration_seconds_sum{{{labels}}} {latency.Sum.ToString("R", CultureInfo.InvariantCulture)}\n");
                latencies.Append(CultureInfo.InvariantCulture, $"onward_local_http_request_duration_seconds_count{{{labels}}} {latency.Count}\n");
            }
        }
        var text = new StringBuilder();
        if (counts.Length > 0)
        {
            text.Append("# HELP onward_local_http_requests_total Requests the local target's stable ports relayed in HTTP mode, by service, environment, version and status code\n")
                .Append("# TYPE onward_local_http_requests_total counter\n").Append(counts);
        }
        if (latencies.Length > 0)
        {
            text.Append("# HELP onward_local_http_request_duration_seconds How long requests relayed in HTTP mode took, through the stable port, by version\n")
                .Append("# TYPE onward_local_http_request_duration_seconds histogram\n").Append(latencies);
        }
        return text.ToString();
    }

    /// <summary>A label value as the text format writes it: backslash, double quote and line feed escaped.</summary>
    private static string Label(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
