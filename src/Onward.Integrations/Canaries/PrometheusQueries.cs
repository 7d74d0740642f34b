using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Onward.Core.Canaries;
using Onward.Core.Configuration;

namespace Onward.Integrations.Canaries;

/// <summary>
/// Instant queries (<c>GET /api/v1/query</c>) to the Prometheus a canary names, with its bearer token or basic
/// authentication. One series or scalar is a value; no series is null; a refused query (bad PromQL, several series) can
/// never pass; an unreachable Prometheus or an answer that is not Prometheus's is an error, never the release's fault.
/// </summary>
public sealed class PrometheusQueries : IPrometheusQueries, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The most of an answer read: a query for one value answers in far less.</summary>
    private const int MostAnswer = 1 << 20;

    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), AllowAutoRedirect = false })
    {
        Timeout = Timeout,
    };

    public async Task<PromAnswer> QueryAsync(CanaryAnalysisConfig analysis, string query, CancellationToken cancellationToken)
    {
        var url = new Uri(analysis.Prometheus, "api/v1/query?query=" + Uri.EscapeDataString(query));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (analysis.BearerToken is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (analysis.Basic is var (user, password))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var body = await BoundedContent.ReadAsync(response.Content, MostAnswer, cancellationToken)
                ?? throw new HttpRequestException($"the answer is larger than {MostAnswer / 1024} KiB");
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException)
            {
                return new PromAnswer(null, $"{analysis.Prometheus} answered {(int)response.StatusCode} {response.ReasonPhrase}, not Prometheus's JSON");
            }
            using (document)
            {
                var root = document.RootElement;
                var status = root.TryGetProperty("status", out var s) ? s.GetString() : null;
                if (status != "success")
                {
                    var error = (root.TryGetProperty("errorType", out var t) ? t.GetString() + ": " : "") + (root.TryGetProperty("error", out var e) ? e.GetString() : $"{(int)response.StatusCode} {response.ReasonPhrase}");
                    // 400 and 422 are the query's fault; anything else (503, 401) is Prometheus's or its setting's.
                    return (int)response.StatusCode is 400 or 422 ? new PromAnswer(null, error, Refused: true) : new PromAnswer(null, error);
                }
                try
                {
                    return Value(root.GetProperty("data"));
                }
                catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException)
                {
                    return new PromAnswer(null, $"{analysis.Prometheus} answered success in a shape that is not Prometheus's ({e.GetType().Name})");
                }
            }
        }
        catch (HttpRequestException e)
        {
            return new PromAnswer(null, $"{analysis.Prometheus} cannot be reached: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PromAnswer(null, $"{analysis.Prometheus} did not answer within {Timeout.TotalSeconds:0} s");
        }
    }

    private static PromAnswer Value(JsonElement data)
    {
        var type = data.GetProperty("resultType").GetString();
        var result = data.GetProperty("result");
        switch (type)
        {
            case "scalar":
                return new PromAnswer(Number(result[1]));
            case "vector":
                var count = result.GetArrayLength();
                if (count == 0)
                {
                    return new PromAnswer(null);
                }
                if (count > 1)
                {
                    return new PromAnswer(null, $"the query returns {count} series; aggregate it to one, e.g. sum(…)", Refused: true);
                }
                return new PromAnswer(Number(result[0].GetProperty("value")[1]));
            default:
                return new PromAnswer(null, $"the query returns a {type}; write one that returns a single value (an instant vector of one series, or a scalar)", Refused: true);
        }
    }

    /// <summary>Prometheus writes sample values as strings: "0.25", "NaN", "+Inf".</summary>
    private static double Number(JsonElement value) =>
        value.GetString() switch
        {
            "NaN" => double.NaN,
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            var text => double.Parse(text!, NumberStyles.Float, CultureInfo.InvariantCulture),
        };

    public void Dispose() => _http.Dispose();
}
