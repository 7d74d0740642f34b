using Onward.Core.Configuration;

namespace Onward.Core.Tests.Canaries;

/// <summary>The <c>canary</c> of an environment's policy and of a service: what is read, and each mistake refused with its fix.</summary>
public class CanaryConfigTests
{
    private const string Service = "services:\n  app:\n    repository: https://git.example/app.git\n    build: { command: { run: make } }\n    deploy: { local: { command: run, healthUrl: \"http://127.0.0.1:{port}/\"PROTOCOL } }\nSERVICE";

    private const string Metric = "{ name: error-rate, query: 'sum(rate(x{service=\"{service}\",version=\"{version}\"}[{interval}])) or vector(0)', max: 0.01, compare: baseline, tolerance: 0.005 }";

    private static ConfigLoadResult Parse(string canary, string service = "", string protocol = "") =>
        ConfigParser.Parse(
            $"environments:\n  prod: {{ target: {{ local: {{}} }}, policy: {{ canary: {canary} }} }}\n" + Service.Replace("PROTOCOL", protocol, StringComparison.Ordinal).Replace("SERVICE", service, StringComparison.Ordinal),
            "onward.yaml", "/srv/onward", _ => null, _ => true);

    [Fact]
    public void A_complete_canary_is_read_with_its_defaults()
    {
        var result = Parse($"{{ steps: [ {{ weight: 10, pause: 5m }}, {{ weight: 50, pause: 10m }} ], analysis: {{ prometheus: {{ url: \"http://prom:9090\", bearerToken: t0k }}, interval: 1m, minRequests: 100, metrics: [ {Metric} ] }} }}");

        result.Problems.ShouldBeEmpty();
        var canary = result.Config!.Services[0].CanaryIn(result.Config.Environments[0]).ShouldNotBeNull();
        canary.Steps.ShouldBe([new CanaryStep(10, TimeSpan.FromMinutes(5), false), new CanaryStep(50, TimeSpan.FromMinutes(10), false)]);
        canary.Analysis.Prometheus.ShouldBe(new Uri("http://prom:9090/"));
        canary.Analysis.BearerToken.ShouldBe("t0k");
        canary.Analysis.ToString().ShouldNotContain("t0k", Case.Sensitive, "a log line never shows the token");
        canary.Analysis.FailureLimit.ShouldBe(1);
        canary.Analysis.Inconclusive.ShouldBe(InconclusiveMode.Wait);
        canary.Analysis.MaxWait.ShouldBe(TimeSpan.FromMinutes(30));
        canary.Analysis.Metrics.Single().ShouldBe(new CanaryMetric("error-rate", "sum(rate(x{service=\"{service}\",version=\"{version}\"}[{interval}])) or vector(0)", null, 0.01, true, 0.005));
    }

    [Fact]
    public void A_service_turns_its_environments_canary_off_or_brings_its_own()
    {
        var canary = $"{{ steps: [ {{ weight: 10, pause: 5m }} ], analysis: {{ prometheus: \"http://prom:9090\", metrics: [ {Metric} ] }} }}";
        var off = Parse(canary, "    canary: false\n");
        off.Problems.ShouldBeEmpty();
        off.Config!.Services[0].CanaryIn(off.Config.Environments[0]).ShouldBeNull();

        var own = Parse(canary, $"    canary: {{ steps: [ {{ weight: 25, pause: 1m }} ], analysis: {{ prometheus: \"http://other:9090\", minRequests: 5 }} }}\n");
        own.Problems.ShouldBeEmpty();
        own.Config!.Services[0].CanaryIn(own.Config.Environments[0])!.Steps.Single().Weight.ShouldBe(25);
    }

    public static TheoryData<string, string, string, string> Mistakes => new()
    {
        { "falling weights", "{ steps: [ { weight: 50, pause: 1m }, { weight: 10, pause: 1m } ], analysis: { prometheus: \"http://p:9090\", minRequests: 5 } }", "", "environments.prod.policy.canary.steps[1].weight: weight 10 does not rise above the step before (50)" },
        { "weight 100", "{ steps: [ { weight: 100, pause: 1m } ], analysis: { prometheus: \"http://p:9090\", minRequests: 5 } }", "", "environments.prod.policy.canary.steps[0].weight: '100' is not a whole number from 1 to 99" },
        { "no analysis", "{ steps: [ { weight: 10, pause: 1m } ] }", "", "environments.prod.policy.canary.analysis: missing `analysis`" },
        { "nothing judges", "{ steps: [ { weight: 10, pause: 1m } ], analysis: { prometheus: \"http://p:9090\" } }", "", "environments.prod.policy.canary.analysis: nothing judges the canary: no `metrics` and no `minRequests`" },
        { "empty metrics", "{ steps: [ { weight: 10, pause: 1m } ], analysis: { prometheus: \"http://p:9090\", metrics: [] } }", "", "nothing judges the canary: no `metrics` and no `minRequests`" },
        { "credentials in the URL", "{ steps: [ { weight: 10, pause: 1m } ], analysis: { prometheus: \"http://u:p@p:9090\", minRequests: 5 } }", "", "is not an http(s) URL without credentials" },
        { "placeholder outside quotes", "{ steps: [ { weight: 10, pause: 1m } ], analysis: { prometheus: \"http://p:9090\", metrics: [ { name: e, query: 'x{job={service}}', max: 1 } ] } }", "", "{service} stands outside a string" },
        { "unknown placeholder", "{ steps: [ { weight: 10, pause: 1m } ], analysis: { prometheus: \"http://p:9090\", metrics: [ { name: e, query: 'x{job=\"{team}\"}', max: 1 } ] } }", "", "unknown placeholder {team}" },
        { "tolerance without compare", "{ steps: [ { weight: 10, pause: 1m } ], analysis: { prometheus: \"http://p:9090\", metrics: [ { name: e, query: 'x', max: 1, tolerance: 0.1 } ] } }", "", "`tolerance` without `compare: baseline`" },
        { "no bound", "{ steps: [ { weight: 10, pause: 1m } ], analysis: { prometheus: \"http://p:9090\", metrics: [ { name: e, query: 'x' } ] } }", "", "neither `min` nor `max` given" },
        { "sub-second interval", "{ steps: [ { weight: 10, pause: 1m } ], analysis: { prometheus: \"http://p:9090\", interval: 500ms, minRequests: 5 } }", "", "the interval is whole seconds, at least 1s" },
        { "approval without approvers", "{ steps: [ { weight: 10, pause: 1m, approval: true } ], analysis: { prometheus: \"http://p:9090\", minRequests: 5 } }", "", "a canary step waits for approval but the environment has no `approval`" },
        { "tcp service", "{ steps: [ { weight: 10, pause: 1m } ], analysis: { prometheus: \"http://p:9090\", minRequests: 5 } }", ", protocol: tcp", "app is a TCP service (`deploy.local.protocol: tcp`) in prod, and a canary splits HTTP requests" },
        { "route on local", "{ steps: [ { weight: 10, pause: 1m } ], analysis: { prometheus: \"http://p:9090\", minRequests: 5 }, kubernetes: { route: shop } }", "", "prod is a local environment; an HTTPRoute weighs requests on Kubernetes only" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Each_mistake_is_refused_with_its_fix(string rule, string canary, string protocol, string problem)
    {
        var result = Parse(canary, protocol: protocol);

        result.Config.ShouldBeNull(rule);
        result.Problems.ShouldHaveSingleItem(rule + ": " + string.Join("; ", result.Problems)).ToString().ShouldContain(problem, Case.Sensitive, rule);
        result.Problems.ShouldAllBe(p => p.Hint.Length > 0, rule);
    }

    [Fact]
    public void Minimum_requests_on_kubernetes_need_a_query_that_counts_them()
    {
        var result = ConfigParser.Parse(
            "environments:\n  prod: { target: { kubernetes: { namespace: shop } }, policy: { canary: { steps: [ { weight: 10, pause: 1m } ], analysis: { prometheus: \"http://p:9090\", minRequests: 5 } } } }\n"
            + "services:\n  app:\n    repository: https://git.example/app.git\n    build: { external: { image: r.example/app } }\n    deploy: { manifests: k8s }\n",
            "onward.yaml", "/srv/onward", _ => null, _ => true);

        result.Problems.ShouldHaveSingleItem(string.Join("; ", result.Problems)).ToString().ShouldContain("`minRequests` needs a count of the canary's requests on Kubernetes (app in prod)");
    }
}
