using System.Globalization;
using Onward.Core.Canaries;

namespace Onward.Core.Configuration;

/// <summary>Reads a <c>canary</c>: its steps, its analysis (Prometheus, interval, limits, metrics) and, for Kubernetes, its route.</summary>
public sealed partial class CanaryReader(NodeReader nodes)
{
    public static readonly TimeSpan DefaultMaxWait = TimeSpan.FromMinutes(30);

    public CanaryConfig? Read(YamlNode node, string path)
    {
        if (nodes.AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var problems = nodes.Problems.Count;
        var keys = nodes.Keys(map, path, "steps", "analysis", "kubernetes");
        var steps = ReadSteps(keys.Get("steps"), path + ".steps", map);
        var analysis = keys.Get("analysis") is { } analysisNode ? ReadAnalysis(analysisNode, path + ".analysis") : null;
        if (keys.Get("analysis") is null)
        {
            nodes.Problem(map, path + ".analysis", "missing `analysis`",
                "say how the canary is judged, e.g. `analysis: { prometheus: http://prometheus:9090, interval: 1m, metrics: [ … ] }`");
        }
        string? route = null;
        if (keys.Get("kubernetes") is { } kubernetes && nodes.AsMapping(kubernetes, path + ".kubernetes") is { } kubernetesMap)
        {
            var kubernetesKeys = nodes.Keys(kubernetesMap, path + ".kubernetes", "route");
            if (nodes.Text(kubernetesKeys.Get("route"), path + ".kubernetes.route") is { } name)
            {
                route = name.Value;
                if (route.Length > 253 || !RouteNameRegex().IsMatch(route))
                {
                    nodes.Problem(name, path + ".kubernetes.route", $"'{route}' is not a Kubernetes object name", "name the HTTPRoute of the service, e.g. `route: shop`");
                }
            }
        }
        return nodes.Problems.Count > problems || analysis is null
            ? null
            : new CanaryConfig(steps, analysis) { Route = route, At = ConfigPosition.Of(map) };
    }

    private List<CanaryStep> ReadSteps(YamlNode? node, string path, YamlMapping parent)
    {
        var steps = new List<CanaryStep>();
        if (node is null)
        {
            nodes.Problem(parent, path, "missing `steps`", "give the weights before 100 %, e.g. `steps: [ { weight: 10, pause: 5m }, { weight: 50, pause: 10m } ]`");
            return steps;
        }
        if (node is not YamlSequence sequence || sequence.Items.Count == 0)
        {
            nodes.Problem(node, path, "expected a list of steps", "write e.g. `steps: [ { weight: 10, pause: 5m }, { weight: 50, pause: 10m } ]`");
            return steps;
        }
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (nodes.AsMapping(sequence.Items[i], itemPath) is not { } map)
            {
                continue;
            }
            var keys = nodes.Keys(map, itemPath, "weight", "pause", "approval");
            var weight = nodes.Number(keys.Get("weight"), itemPath + ".weight", 1, 99);
            if (keys.Get("weight") is null)
            {
                nodes.Problem(map, itemPath + ".weight", "missing `weight`", "give the canary's share of the requests in percent, from 1 to 99 (100 % follows the last step)");
            }
            var pause = nodes.Duration(keys.Get("pause"), itemPath + ".pause");
            if (keys.Get("pause") is null)
            {
                nodes.Problem(map, itemPath + ".pause", "missing `pause`", "say how long the step lasts at least, e.g. `pause: 5m`");
            }
            var approval = nodes.Flag(keys.Get("approval"), itemPath + ".approval") ?? false;
            if (weight is { } w && steps.Count > 0 && w <= steps[^1].Weight)
            {
                nodes.Problem(keys.Get("weight")!, itemPath + ".weight", $"weight {w} does not rise above the step before ({steps[^1].Weight})", "give the steps in rising order, e.g. 10, 25, 50");
            }
            if (weight is { } valid && pause is { } p)
            {
                steps.Add(new CanaryStep(valid, p, approval));
            }
        }
        return steps;
    }

    private CanaryAnalysisConfig? ReadAnalysis(YamlNode node, string path)
    {
        if (nodes.AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = nodes.Keys(map, path, "prometheus", "interval", "minRequests", "inconclusive", "failureLimit", "maxWait", "requests", "metrics");
        Uri? prometheus = null;
        string? bearer = null;
        (string, string)? basic = null;
        switch (keys.Get("prometheus"))
        {
            case null:
                nodes.Problem(map, path + ".prometheus", "missing `prometheus`", "give the Prometheus that judges the canary, e.g. `prometheus: http://prometheus.monitoring:9090`");
                break;
            case YamlMapping prometheusMap:
                var prometheusKeys = nodes.Keys(prometheusMap, path + ".prometheus", "url", "bearerToken", "basicAuth");
                prometheus = Url(nodes.Text(prometheusKeys.Get("url"), path + ".prometheus.url"), path + ".prometheus.url");
                if (prometheusKeys.Get("url") is null)
                {
                    nodes.Problem(prometheusMap, path + ".prometheus.url", "missing `url`", "write e.g. `url: http://prometheus.monitoring:9090`");
                }
                bearer = nodes.Text(prometheusKeys.Get("bearerToken"), path + ".prometheus.bearerToken")?.Value;
                if (prometheusKeys.Get("basicAuth") is { } basicNode && nodes.AsMapping(basicNode, path + ".prometheus.basicAuth") is { } basicMap)
                {
                    var basicKeys = nodes.Keys(basicMap, path + ".prometheus.basicAuth", "username", "password");
                    var user = nodes.Text(basicKeys.Get("username"), path + ".prometheus.basicAuth.username")?.Value;
                    var password = nodes.Text(basicKeys.Get("password"), path + ".prometheus.basicAuth.password")?.Value;
                    if (user is null || password is null)
                    {
                        nodes.Problem(basicMap, path + ".prometheus.basicAuth", "give both `username` and `password`", "write e.g. `basicAuth: { username: onward, password: ${PROMETHEUS_PASSWORD} }`");
                    }
                    else
                    {
                        basic = (user, password);
                    }
                }
                if (bearer is not null && basic is not null)
                {
                    nodes.Problem(prometheusMap, path + ".prometheus", "both `bearerToken` and `basicAuth` given", "keep the one your Prometheus expects");
                }
                break;
            case var urlNode:
                prometheus = Url(nodes.Text(urlNode, path + ".prometheus"), path + ".prometheus");
                break;
        }
        var interval = nodes.Duration(keys.Get("interval"), path + ".interval") ?? TimeSpan.FromMinutes(1);
        if (interval < TimeSpan.FromSeconds(1) || interval.TotalMilliseconds % 1000 != 0)
        {
            nodes.Problem(keys.Get("interval") ?? map, path + ".interval", "the interval is whole seconds, at least 1s", "write e.g. `interval: 1m`");
        }
        var minRequests = nodes.Number(keys.Get("minRequests"), path + ".minRequests", 0, 100_000_000) ?? 0;
        var inconclusive = InconclusiveMode.Wait;
        if (nodes.Text(keys.Get("inconclusive"), path + ".inconclusive") is { } mode)
        {
            inconclusive = mode.Value switch
            {
                "wait" => InconclusiveMode.Wait,
                "fail" => InconclusiveMode.Fail,
                _ => nodes.Invalid(mode, path + ".inconclusive", $"unknown value '{mode.Value}'", "use `wait` (the step waits for a conclusive interval) or `fail`", InconclusiveMode.Wait),
            };
        }
        var failureLimit = nodes.Number(keys.Get("failureLimit"), path + ".failureLimit", 1, 1000) ?? 1;
        var maxWait = nodes.Duration(keys.Get("maxWait"), path + ".maxWait") ?? DefaultMaxWait;
        if (maxWait <= TimeSpan.Zero)
        {
            nodes.Problem(keys.Get("maxWait")!, path + ".maxWait", "maxWait is longer than zero", "write e.g. `maxWait: 30m`");
        }
        string? requests = null;
        if (nodes.Text(keys.Get("requests"), path + ".requests") is { } requestsQuery)
        {
            requests = Query(requestsQuery, path + ".requests");
        }
        var metrics = new List<CanaryMetric>();
        if (keys.Get("metrics") is { } metricsNode)
        {
            if (metricsNode is not YamlSequence sequence)
            {
                nodes.Problem(metricsNode, path + ".metrics", "expected a list of metrics", "write e.g. `metrics: [ { name: error-rate, query: '…', max: 0.01 } ]`");
            }
            else
            {
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    if (ReadMetric(sequence.Items[i], $"{path}.metrics[{i}]") is { } metric)
                    {
                        if (metrics.Any(m => m.Name == metric.Name))
                        {
                            nodes.Problem(sequence.Items[i], $"{path}.metrics[{i}].name", $"metric '{metric.Name}' is given twice", "give each metric its own name");
                        }
                        metrics.Add(metric);
                    }
                }
            }
        }
        if (minRequests == 0 && keys.Get("metrics") is null or YamlSequence { Items.Count: 0 })
        {
            nodes.Problem(map, path, "nothing judges the canary: no `metrics` and no `minRequests`",
                "add metrics, e.g. `metrics: [ { name: error-rate, query: '…', max: 0.01 } ]`, and `minRequests: 100`");
        }
        return prometheus is null ? null : new CanaryAnalysisConfig(prometheus, interval, minRequests, inconclusive, failureLimit, maxWait, requests, metrics)
        {
            BearerToken = bearer,
            Basic = basic,
        };
    }

    private CanaryMetric? ReadMetric(YamlNode node, string path)
    {
        if (nodes.AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = nodes.Keys(map, path, "name", "query", "min", "max", "compare", "tolerance");
        var name = nodes.Text(keys.Get("name"), path + ".name");
        if (name is null)
        {
            nodes.Problem(map, path + ".name", "missing `name`", "name the metric, e.g. `name: error-rate`");
        }
        else if (!Access.AccessTokens.IsValidName(name.Value))
        {
            nodes.Problem(name, path + ".name", $"'{name.Value}' is not a metric name", "use lowercase letters, digits, '.', '_' and '-', e.g. `error-rate`");
        }
        var query = nodes.Text(keys.Get("query"), path + ".query") is { } q ? Query(q, path + ".query") : null;
        if (keys.Get("query") is null)
        {
            nodes.Problem(map, path + ".query", "missing `query`", "give a PromQL query for one value, e.g. `query: 'sum(rate(http_requests_total{service=\"{service}\",version=\"{version}\",code=~\"5..\"}[{interval}])) or vector(0)'`");
        }
        var min = Real(keys.Get("min"), path + ".min");
        var max = Real(keys.Get("max"), path + ".max");
        if (keys.Get("min") is null && keys.Get("max") is null)
        {
            nodes.Problem(map, path, "neither `min` nor `max` given", "bound the value, e.g. `max: 0.01` for an error rate, `min: 0.99` for a success rate");
        }
        if (min is { } low && max is { } high && low > high)
        {
            nodes.Problem(keys.Get("min")!, path + ".min", $"min {low} is above max {high}", "swap them");
        }
        var compare = false;
        if (nodes.Text(keys.Get("compare"), path + ".compare") is { } c)
        {
            compare = c.Value == "baseline" || nodes.Invalid(c, path + ".compare", $"unknown value '{c.Value}'", "use `baseline` (compare with the version it replaces) or leave it out", false);
        }
        var tolerance = Real(keys.Get("tolerance"), path + ".tolerance") ?? 0;
        if (tolerance < 0)
        {
            nodes.Problem(keys.Get("tolerance")!, path + ".tolerance", "the tolerance is not negative", "write how much worse than the baseline is still fine, e.g. `tolerance: 0.005`");
        }
        if (keys.Get("tolerance") is { } toleranceNode && !compare)
        {
            nodes.Problem(toleranceNode, path + ".tolerance", "`tolerance` without `compare: baseline`", "add `compare: baseline`, or remove `tolerance`");
        }
        if (compare && min is not null && max is not null)
        {
            nodes.Problem(map, path + ".compare", "a metric compared with its baseline has either `min` or `max`", "keep `max` when higher is worse (errors, latency), `min` when lower is worse");
        }
        return name is null || query is null || (min is null && max is null) ? null : new CanaryMetric(name.Value, query, min, max, compare, tolerance);
    }

    private string? Query(YamlScalar query, string path)
    {
        if (query.Value.Length > 4000)
        {
            nodes.Problem(query, path, "the query is longer than 4000 characters", "shorten it, or use a recording rule");
            return null;
        }
        if (PromQuery.Problem(query.Value) is { } problem)
        {
            nodes.Problem(query, path, problem, "placeholders: {service}, {environment}, {namespace}, {version}, {baseline} inside quotes, {interval} in range selectors");
            return null;
        }
        return query.Value;
    }

    private double? Real(YamlNode? node, string path)
    {
        if (nodes.Text(node, path) is not { } scalar)
        {
            return null;
        }
        if (double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }
        nodes.Problem(scalar, path, $"'{scalar.Value}' is not a number", "write e.g. `0.01` or `250`");
        return null;
    }

    private Uri? Url(YamlScalar? text, string path)
    {
        if (text is null)
        {
            return null;
        }
        if (Uri.TryCreate(text.Value.TrimEnd('/') + "/", UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && string.IsNullOrEmpty(url.UserInfo))
        {
            return url;
        }
        nodes.Problem(text, path, $"'{text.Value}' is not an http(s) URL without credentials", "write e.g. `http://prometheus.monitoring:9090`, with `bearerToken` or `basicAuth` beside `url` for credentials");
        return null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex RouteNameRegex();
}
