using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Onward.Contracts.Deployments;
using Onward.Testing;

namespace Onward.Server.Tests.Canaries;

/// <summary>
/// Issue 27: canary releases on the local target, judged by a real Prometheus that scrapes Onward's <c>/metrics</c>
/// every second, where the stable port in HTTP mode counts each version's requests.
/// </summary>
[Collection(MeasuredTraffic.Name)]
public class LocalCanaryTests
{
    /// <summary>The error rate of one version over the interval; 0 rather than nothing when no request failed.</summary>
    private const string ErrorRate =
        "(sum(rate(onward_local_http_requests_total{service=\"{service}\",environment=\"{environment}\",version=\"{version}\",code=~\"5..\"}[{interval}])) or vector(0))"
        + " / sum(rate(onward_local_http_requests_total{service=\"{service}\",environment=\"{environment}\",version=\"{version}\"}[{interval}]))";

    private static string Environment(Uri prometheus, string steps, string analysis = "", string policy = "") =>
        $"dev: {{ target: {{ local: {{}} }}, policy: {{ autoDeploy: main{policy}, canary: {{ steps: [ {steps} ], analysis: {{ prometheus: \"{prometheus}\", interval: 3s{analysis}, "
        + $"metrics: [ {{ name: error-rate, query: '{ErrorRate}', max: 0.05, compare: baseline, tolerance: 0.02 }} ] }} }} }} }}";

    [Fact]
    public async Task A_release_answering_a_fifth_of_its_requests_with_500_fails_at_its_second_failed_interval_and_every_request_goes_back_to_the_running_release()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        await repo.WriteAsync("flags.json", Checkout("off"));
        var first = await repo.CommitAsync("first");
        var port = Ports.Free();
        await using var prometheus = await PrometheusServer.StartAsync(new Uri($"http://127.0.0.1:{port}"));
        await using var hooks = await HookReceiver.StartAsync();
        var yaml = TestConfig.Yaml(port, [Environment(prometheus.Url, "{ weight: 10, pause: 30s }, { weight: 50, pause: 30s }", ", minRequests: 20, failureLimit: 2")],
            [SampleService.ServiceYaml("shop", repo.Path) + "\n    flags: flags.json"],
            $"notifications: {{ canaries: {{ webhook: {{ url: \"{hooks.Url("/canaries")}\", secret: s3cret }}, events: [deployment.canary.step, deployment.canary.failed], backoff: 200ms }} }}");
        await using var onward = await OnwardHost.StartAsync(dir.Path, yaml);
        (await onward.Api.FinishedDeploymentAsync("shop", "dev", first)).Canary.ShouldBeNull("the first deployment has nothing to compare with: no canary");
        var address = (await onward.Api.ServiceAsync("shop")).Environments.Single().Url + "/";
        await using var load = Load.Start(address);
        await prometheus.ScrapedAsync();

        await repo.BehaveAsync("errors:20");
        await repo.WriteAsync("flags.json", Checkout("on"));
        var second = await repo.CommitAsync("second");
        await Eventually.WaitAsync(async () => (await onward.Api.DeploymentsAsync("shop", "dev", 1)).Single() is { } d && d.Release.Commit == second
            && (await onward.Api.DeploymentAsync(d.Id)).Canary?.Weight == 10, "the canary at 10%");
        // What runs where is read again at most every second.
        await Eventually.WaitAsync(async () => await CheckoutAsync(onward.Api, second[..7]) == "on", "the canary's requests to get the flags its release ships");
        (await CheckoutAsync(onward.Api, first[..7])).ShouldBe("off", "the running version's requests keep theirs");
        (await CheckoutAsync(onward.Api, null)).ShouldBe("off");
        var failed = await onward.Api.FinishedDeploymentAsync("shop", "dev", second);
        var failedAt = DateTimeOffset.UtcNow;
        await Task.Delay(1000);
        var after = await load.StopAsync();

        failed.State.ShouldBe(DeploymentState.Failed);
        failed.Reason.ShouldStartWith("canary failed: error-rate");
        var diagnosis = failed.Diagnosis.ShouldNotBeNull();
        diagnosis.ShouldContain("metric:    error-rate");
        diagnosis.ShouldContain($"({first[..7]})", Case.Sensitive, "the baseline's version and value");
        diagnosis.ShouldContain("query:     (sum(rate(onward_local_http_requests_total{service=\"shop\",environment=\"dev\",version=\"" + second[..7] + "\"");
        failed.Events.ShouldContain(e => e.Message.StartsWith("canary: weight 10%", StringComparison.Ordinal));
        failed.Events.ShouldContain(e => e.Message.StartsWith("canary: weight 0%", StringComparison.Ordinal));
        failed.Events.ShouldNotContain(e => e.Message.StartsWith("canary: weight 50%", StringComparison.Ordinal));
        var canary = failed.Canary.ShouldNotBeNull();
        canary.State.ShouldBe("failed");
        var judged = canary.Analyses.Where(a => a.Metric == "error-rate").ToList();
        judged.Count(a => a.Verdict == "fail").ShouldBe(2, "failureLimit 2: the second failed interval ends it");
        judged.ShouldAllBe(a => a.Verdict == "fail", "a fifth of the canary's answers fail in every interval");
        judged.ShouldAllBe(a => a.Value > 0.1 && a.Baseline == 0);

        using var ui = new UiClient(onward.Config.Server.Listen);
        var page = await ui.PageAsync($"/deployments/{failed.Id}");
        page.ShouldContain("data-canary=\"failed\"");
        page.ShouldContain("every request went back to the running release");
        page.ShouldContain("<figure data-metric=\"error-rate\"><svg role=\"img\" aria-label=\"error-rate: ");
        page.ShouldContain("class=\"chart-canary\"");

        await Task.Delay(1100);
        (await CheckoutAsync(onward.Api, second[..7])).ShouldBe("off", "a failed canary's flags are served to nobody");
        var told = await Eventually.WaitAsync(() => Task.FromResult(hooks.At("/canaries") is { Count: 2 } t ? t : null), "the canary's notifications");
        told.Select(t => t.Json["type"]!.GetValue<string>()).ShouldBe(["deployment.canary.step", "deployment.canary.failed"]);
        told[1].Json["message"]!.GetValue<string>().ShouldStartWith("canary: weight 0%: canary failed: error-rate");
        var dora = await onward.Api.GetAsync<Onward.Contracts.Insight.DoraResponse>("api/v1/dora?environment=dev");
        (dora.Overall.FailedChanges, dora.Overall.Changes).ShouldBe((1, 2), "the failed canary is a failed change");

        var (old, canaryVersion) = ($"{first[..7]} in dev", second[..7]);
        var canaryAnswers = after.Where(a => a.Body.StartsWith(second[..7], StringComparison.Ordinal)).ToList();
        canaryAnswers.ShouldNotBeEmpty("the canary had its share before it failed");
        canaryAnswers.Max(a => a.At).ShouldBeLessThan(failedAt, "every request went back to the running release before the deployment was recorded as failed");
        after.Where(a => a.At > failedAt).ShouldAllBe(a => a.Body == old && a.Status == 200);
        after.Where(a => a.Status != 200).ShouldAllBe(a => a.Body.StartsWith(canaryVersion, StringComparison.Ordinal), "only the canary failed requests");
    }

    [Fact]
    public async Task A_canary_without_traffic_never_passes_and_fails_as_inconclusive_after_max_wait()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var first = await repo.CommitAsync("first");
        var port = Ports.Free();
        await using var prometheus = await PrometheusServer.StartAsync(new Uri($"http://127.0.0.1:{port}"));
        var yaml = TestConfig.Yaml(port, [Environment(prometheus.Url, "{ weight: 10, pause: 3s }", ", minRequests: 10, maxWait: 6s")], [SampleService.ServiceYaml("shop", repo.Path)]);
        await using var onward = await OnwardHost.StartAsync(dir.Path, yaml);
        (await onward.Api.FinishedDeploymentAsync("shop", "dev", first)).State.ShouldBe(DeploymentState.Succeeded);

        var second = await repo.CommitAsync("second");
        var failed = await onward.Api.FinishedDeploymentAsync("shop", "dev", second);

        failed.State.ShouldBe(DeploymentState.Failed);
        failed.Reason.ShouldStartWith("canary inconclusive: no interval passed within 6s");
        var analyses = failed.Canary.ShouldNotBeNull().Analyses;
        analyses.Count.ShouldBeGreaterThanOrEqualTo(2);
        analyses.ShouldAllBe(a => a.Metric == "requests" && a.Verdict == "inconclusive" && a.Value == 0);
        failed.Events.ShouldNotContain(e => e.Message.StartsWith("canary: weight 100%", StringComparison.Ordinal));
        (await OnwardApi.AnswerAsync((await onward.Api.ServiceAsync("shop")).Environments.Single().Url + "/")).ShouldBe($"{first[..7]} in dev");
    }

    [Fact]
    public async Task A_good_release_goes_10_then_50_then_100_percent_splitting_requests_by_weight_resumes_at_50_after_a_kill_and_waits_there_for_approval()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var first = await repo.CommitAsync("first");
        var port = Ports.Free();
        var url = new Uri($"http://127.0.0.1:{port}");
        var config = dir.Combine("onward.yaml");
        var prometheusPort = Ports.Free();
        await File.WriteAllTextAsync(config, TestConfig.Yaml(port,
            [Environment(new Uri($"http://127.0.0.1:{prometheusPort}/"), "{ weight: 10, pause: 10s }, { weight: 50, pause: 6s, approval: true }", ", minRequests: 20",
                ", approval: { required: 1, approvers: [release-managers] }")],
            [SampleService.ServiceYaml("shop", repo.Path)], "auth: { mode: tokens }"));
        var root = await TokenAsync(dir.Path, "root", "admin", null);
        var alice = await TokenAsync(dir.Path, "alice", "approver", "release-managers");
        await using var prometheus = await PrometheusServer.StartAsync(url, root, prometheusPort);
        var onward = await OnwardProcess.StartAsync(config, url, dir.Combine("serve.log"));
        using var api = new OnwardApi(url, root);
        using var approver = new OnwardApi(url, alice);
        try
        {
            (await api.FinishedDeploymentAsync("shop", "dev", first)).State.ShouldBe(DeploymentState.Succeeded);
            var address = (await api.ServiceAsync("shop")).Environments.Single().Url + "/";
            await using var load = Load.Start(address, api);
            await prometheus.ScrapedAsync();

            var second = await repo.CommitAsync("second");
            var deployment = await Eventually.WaitAsync(async () => (await api.DeploymentsAsync("shop", "dev")).FirstOrDefault(d => d.Release.Commit == second && d.State == DeploymentState.Verifying),
                "the second release's deployment to verify");
            await Eventually.WaitAsync(async () => (await api.DeploymentAsync(deployment.Id)).Canary?.Weight == 50, "the canary to reach 50%");

            await onward.KillAsync();
            onward = await OnwardProcess.StartAsync(config, url, dir.Combine("serve.log"));
            var resumed = await api.DeploymentAsync(deployment.Id);
            resumed.State.ShouldBe(DeploymentState.Verifying);
            resumed.Canary!.Step.ShouldBe(2);
            resumed.Canary.Weight.ShouldBe(50);
            var waiting = await Eventually.WaitAsync(async () => await api.DeploymentAsync(deployment.Id) is { Progress: { } p } d && p.Contains("waiting for approval", StringComparison.Ordinal) ? d : null,
                "step 2 to wait for approval");
            waiting.Canary!.Analyses.ShouldContain(a => a.Step == 2 && a.Metric == "error-rate" && a.Verdict == "pass");
            await Task.Delay(2000);
            (await api.DeploymentAsync(deployment.Id)).State.ShouldBe(DeploymentState.Verifying, "the step waits for its approval, however long it passes");

            var (status, problem, _) = await api.PostAsync<DeploymentResponse>($"api/v1/deployments/{deployment.Id}/canary/approve", null);
            status.ShouldBe(HttpStatusCode.Forbidden, "root is an admin, but not one of the environment's approvers");
            problem!.Detail!.ShouldContain("release-managers");
            (status, problem, _) = await approver.PostAsync<DeploymentResponse>($"api/v1/deployments/{deployment.Id}/canary/approve", null);
            status.ShouldBe(HttpStatusCode.OK, problem?.Detail);
            var done = await api.FinishedAsync(deployment.Id);
            await Task.Delay(500);
            var answers = await load.StopAsync();

            done.State.ShouldBe(DeploymentState.Succeeded, done.Reason);
            done.Events.Select(e => e.Message).Where(m => m.StartsWith("canary: weight", StringComparison.Ordinal)).Select(m => m.Split(' ')[2].TrimEnd(';'))
                .ShouldBe(["10%", "50%", "100%"]);
            done.Events.ShouldContain(e => e.Actor == "alice" && e.Message == "canary: alice approved step 2 (50%)");
            answers.Where(a => a.Status != 200).ShouldBeEmpty("no request is lost when weights change, the server is killed or the old release retires");
            foreach (var weight in new[] { 10, 50 })
            {
                var batches = load.Batches.Where(b => b.Weight == weight).ToList();
                var total = batches.Sum(b => b.Answers.Count);
                total.ShouldBeGreaterThanOrEqualTo(1000, $"1,000 requests or more at {weight}%");
                var share = 100.0 * batches.Sum(b => b.Answers.Count(a => a.StartsWith(second[..7], StringComparison.Ordinal))) / total;
                share.ShouldBeInRange(weight - 5, weight + 5, $"the canary's share of {total} requests at {weight}%");
            }
            (await OnwardApi.AnswerAsync(address)).ShouldBe($"{second[..7]} in dev");
        }
        finally
        {
            await onward.DisposeAsync();
        }
    }

    private static string Checkout(string variant) =>
        $$"""{ "flags": { "new-checkout": { "state": "ENABLED", "variants": { "on": "on", "off": "off" }, "defaultVariant": "{{variant}}" } } }""";

    /// <summary>The variant of new-checkout an OFREP evaluation gets, with <c>onwardVersion</c> in its context when given.</summary>
    private static async Task<string> CheckoutAsync(OnwardApi api, string? version)
    {
        var context = version is null ? "{\"context\":{\"targetingKey\":\"u1\"}}" : $"{{\"context\":{{\"targetingKey\":\"u1\",\"onwardVersion\":\"{version}\"}}}}";
        using var response = await api.Http.PostAsync("flags/dev/ofrep/v1/evaluate/flags/new-checkout", new StringContent(context, System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("variant").GetString()!;
    }

    private static async Task<string> TokenAsync(string directory, string name, string role, string? group)
    {
        var created = await OnwardCli.RunAsync(directory, ["tokens", "create", "--config", "onward.yaml", "--name", name, "--role", role, "--json", .. group is null ? Array.Empty<string>() : ["--group", group]]);
        created.ExitCode.ShouldBe(0, created.Error);
        return JsonDocument.Parse(created.Output).RootElement.GetProperty("token").GetString()!;
    }

    /// <summary>Requests one after another to a stable port, in batches of 100, each batch tagged with the canary's weight when it was the same before and after.</summary>
    private sealed class Load : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<(DateTimeOffset At, int Status, string Body)> _answers = new();
        private Task _running = Task.CompletedTask;

        public ConcurrentQueue<(int Weight, List<string> Answers)> Batches { get; } = new();

        public static Load Start(string address, OnwardApi? api = null)
        {
            var load = new Load();
            load._running = Task.Run(() => load.RunAsync(address, api));
            return load;
        }

        private async Task RunAsync(string address, OnwardApi? api)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            while (!_stop.IsCancellationRequested)
            {
                var before = api is null ? null : await WeightAsync(api);
                var batch = new List<string>();
                for (var i = 0; i < 100 && !_stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        using var response = await http.GetAsync(address);
                        var body = (await response.Content.ReadAsStringAsync()).Trim();
                        _answers.Enqueue((DateTimeOffset.UtcNow, (int)response.StatusCode, body));
                        batch.Add(body);
                    }
                    catch (HttpRequestException e)
                    {
                        _answers.Enqueue((DateTimeOffset.UtcNow, 0, e.Message));
                    }
                }
                if (before is { } weight && batch.Count == 100 && await WeightAsync(api!) == weight)
                {
                    Batches.Enqueue((weight, batch));
                }
            }
        }

        private static async Task<int?> WeightAsync(OnwardApi api)
        {
            try
            {
                var verifying = (await api.DeploymentsAsync("shop", "dev", 5)).FirstOrDefault(d => d.State == DeploymentState.Verifying);
                return verifying is null ? null : (await api.DeploymentAsync(verifying.Id)).Canary?.Weight;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return null;
            }
        }

        public async Task<IReadOnlyList<(DateTimeOffset At, int Status, string Body)>> StopAsync()
        {
            await _stop.CancelAsync();
            await _running;
            return _answers.ToList();
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }
    }
}
