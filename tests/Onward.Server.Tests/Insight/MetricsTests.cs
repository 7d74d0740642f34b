using Onward.Contracts.Deployments;
using System.Net;
using Onward.Testing;

namespace Onward.Server.Tests.Insight;

/// <summary>Issue 16.3: GET /metrics in the Prometheus text format, counting what the server did.</summary>
public class MetricsTests
{
    private const string Secret = "metrics";

    [Fact]
    public async Task Metrics_count_deployments_builds_webhooks_and_the_queue()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("metered"));
        await repo.BehaveAsync("ok");
        var first = await repo.CommitAsync("first");
        var yaml = TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("metered-dev")], [SampleService.ServiceYaml("metered", repo.Path, poll: "1h")],
            TestConfig.Webhooks(Secret));
        await using var onward = await OnwardHost.StartAsync(dir.Path, yaml);
        (await onward.Api.FinishedDeploymentAsync("metered", "metered-dev", first)).State.ShouldBe(DeploymentState.Succeeded);
        var second = await repo.CommitAsync("second");
        using (var hook = await new WebhookSender(onward.Api.Http, Secret).GitHubAsync("push", Payloads.GitHubPush(repo.Path, "refs/heads/main", first, second), delivery: "metered-1"))
        {
            hook.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }
        using (var again = await new WebhookSender(onward.Api.Http, Secret).GitHubAsync("push", Payloads.GitHubPush(repo.Path, "refs/heads/main", first, second), delivery: "metered-1"))
        {
            again.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        (await onward.Api.FinishedDeploymentAsync("metered", "metered-dev", second)).State.ShouldBe(DeploymentState.Succeeded);

        // A verified deployment's commit-to-verified time is observed after its state is stored (it reads the commit's time
        // from git), so the API can show Succeeded a moment before the histogram counts it.
        var text = await MetricsAsync(onward, t => t.Split('\n').Contains("onward_commit_to_verified_seconds_count{service=\"metered\",environment=\"metered-dev\"} 2"));
        text.ShouldContain("# TYPE onward_deployments_total counter");
        text.ShouldContain("onward_deployments_total{service=\"metered\",environment=\"metered-dev\",trigger=\"auto\",outcome=\"succeeded\"} 2");
        Value(text, "onward_deployment_duration_seconds_count{service=\"metered\",environment=\"metered-dev\",outcome=\"succeeded\"}").ShouldBe(2);
        Value(text, "onward_build_duration_seconds_count{service=\"metered\",outcome=\"built\"}").ShouldBe(2);
        Value(text, "onward_commit_to_verified_seconds_count{service=\"metered\",environment=\"metered-dev\"}").ShouldBe(2);
        Value(text, "onward_webhook_deliveries_total{provider=\"github\",action=\"build\"}").ShouldBeGreaterThanOrEqualTo(1);
        Value(text, "onward_webhook_deliveries_total{provider=\"github\",action=\"duplicate\"}").ShouldBeGreaterThanOrEqualTo(1);
        text.ShouldContain("onward_jobs{kind=\"deploy\",state=\"due\"}");
        text.ShouldContain("onward_job_oldest_due_seconds{kind=\"build\"}");
        text.ShouldContain("process_cpu_seconds_total");
    }

    /// <summary>The metrics page once <paramref name="done"/> says it shows what the test waits for.</summary>
    private static Task<string> MetricsAsync(OnwardHost onward, Func<string, bool> done) =>
        Eventually.WaitAsync(async () =>
        {
            using var response = await onward.Api.Http.GetAsync("metrics");
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Content.Headers.ContentType!.ToString().ShouldStartWith("text/plain; version=0.0.4");
            var text = await response.Content.ReadAsStringAsync();
            return done(text) ? text : null;
        }, "the metrics to show what was done", TimeSpan.FromSeconds(30));

    private static double Value(string text, string series) =>
        double.Parse(text.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
}
