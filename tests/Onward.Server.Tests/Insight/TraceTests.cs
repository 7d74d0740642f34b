using Onward.Contracts.Deployments;
using Onward.Testing;

namespace Onward.Server.Tests.Insight;

/// <summary>Issue 16.4: one OpenTelemetry trace per release, exported over OTLP (HTTP, protobuf) when OTEL_EXPORTER_OTLP_ENDPOINT is set.</summary>
public class TraceTests
{
    [Fact]
    public async Task A_release_is_one_trace_from_the_poll_through_its_build_to_each_deployment()
    {
        await using var dir = new TempDirectory();
        await using var collector = await HookReceiver.StartAsync();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var commit = await repo.CommitAsync("traced");
        var port = Ports.Free();
        var config = dir.Combine("onward.yaml");
        await File.WriteAllTextAsync(config, TestConfig.Yaml(port, [TestConfig.AutoEnvironment("dev-1"), TestConfig.AutoEnvironment("dev-2")],
            [SampleService.ServiceYaml("shop", repo.Path)]));
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url(""),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        };
        await using var onward = await OnwardProcess.StartAsync(config, new Uri($"http://127.0.0.1:{port}/"), dir.Combine("onward.log"), environment);
        foreach (var name in new[] { "dev-1", "dev-2" })
        {
            (await onward.Api.FinishedDeploymentAsync("shop", name, commit)).State.ShouldBe(DeploymentState.Succeeded);
        }

        var spans = await Eventually.WaitAsync(() => Task.FromResult(collector.At("/v1/traces").SelectMany(r => OtlpSpans.Read(r.Body)).ToList() is var all
            && all.Count(s => s.Name.StartsWith("deploy ", StringComparison.Ordinal)) == 2 ? all : null), "the spans to be exported");

        var release = spans.Single(s => s.Name == $"release shop {commit[..7]}");
        release.ParentSpanId.ShouldBeEmpty("the root of the release's trace");
        var build = spans.Single(s => s.Name == $"build shop {commit[..7]}");
        var deployments = spans.Where(s => s.Name.StartsWith("deploy ", StringComparison.Ordinal)).ToList();
        deployments.Select(s => s.Name).ShouldBe([$"deploy shop {commit[..7]} to dev-1", $"deploy shop {commit[..7]} to dev-2"], ignoreOrder: true);
        foreach (var child in deployments.Append(build))
        {
            (child.TraceId, child.ParentSpanId).ShouldBe((release.TraceId, release.SpanId), child.Name);
        }
        collector.At("/v1/traces").ShouldAllBe(r => r.Headers["Content-Type"] == "application/x-protobuf");
    }
}
