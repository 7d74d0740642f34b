using Microsoft.Extensions.Logging.Abstractions;
using Onward.Contracts.Deployments;
using Onward.Core.Canaries;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;
using Onward.Core.Releases;
using Onward.Core.Targets;
using Onward.Testing.Fakes;

namespace Onward.Core.Tests.Canaries;

/// <summary>The rules of a canary's analysis, one case each, on a clock the test moves and answers the test gives.</summary>
public class CanaryRunnerTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private sealed class Setup
    {
        public ManualClock Clock { get; } = new(Start);

        public Store Store { get; } = new();

        public Prometheus Prometheus { get; } = new();

        public Target Target { get; } = new();

        public CanaryRunner Runner { get; }

        public TargetContext Context { get; }

        public CanaryConfig Canary => Context.Canary!;

        public Setup(string analysis, string steps = "{ weight: 10, pause: 10s }, { weight: 50, pause: 10s }", string policy = "")
        {
            Runner = new CanaryRunner(Store, Prometheus, Clock, NullLogger<CanaryRunner>.Instance);
            var config = ConfigParser.Parse(
                "auth: { mode: tokens }\n" + $"environments:\n  prod: {{ target: {{ local: {{}} }}, policy: {{ canary: {{ steps: [ {steps} ], analysis: {{ prometheus: \"http://p:9090\", interval: 2s{analysis} }} }}{policy} }} }}\n"
                + "services:\n  shop:\n    repository: https://git.example/shop.git\n    build: { command: { run: make } }\n    deploy: { local: { command: run, healthUrl: \"http://127.0.0.1:{port}/\" } }\n",
                "onward.yaml", "/srv", _ => null, _ => true);
            config.Problems.ShouldBeEmpty();
            var (service, environment) = (config.Config!.Services[0], config.Config.Environments[0]);
            var release = new Release(2, "shop", "bbbbbbb", "bbbbbbb000", "main", RefKind.Branch, false, "/a", ReleaseState.Built, null, Start, null, null);
            var running = new Release(1, "shop", "aaaaaaa", "aaaaaaa000", "main", RefKind.Branch, false, "/a", ReleaseState.Built, null, Start, null, null);
            Deployment Deployment(long id, long releaseId, string version) =>
                new(id, "shop", "prod", releaseId, version, version + "000", DeploymentState.Verifying, null, "alice", DeploymentTrigger.Manual, null, Start, Start, null, null, null);
            Context = new TargetContext(service, environment, Deployment(2, 2, "bbbbbbb"), release, (Deployment(1, 1, "aaaaaaa"), running)) { Canary = service.CanaryIn(environment) };
        }

        public Task<StepResult> StepAsync() => Runner.StepAsync(Context, Canary, Target, CancellationToken.None);

        /// <summary>Moves the clock one interval on, with <paramref name="requests"/> more requests to the canary, and steps.</summary>
        public Task<StepResult> IntervalAsync(long requests)
        {
            Clock.Advance(TimeSpan.FromSeconds(2));
            Target.Requests += requests;
            return StepAsync();
        }
    }

    [Fact]
    public async Task Too_few_requests_never_pass_and_each_interval_counts_only_its_own()
    {
        var setup = new Setup(", minRequests: 10, metrics: [ { name: e, query: 'q', max: 0.1 } ]");
        setup.Prometheus.Answer = _ => new PromAnswer(0);
        await setup.StepAsync();
        for (var i = 0; i < 8; i++)
        {
            (await setup.IntervalAsync(6)).ShouldBeOfType<StepResult.Pending>();
        }

        setup.Store.Analyses.ShouldAllBe(a => a.Metric == CanaryAnalysis.RequestsMetric && a.Verdict == "inconclusive" && a.Value == 6,
            "six requests per interval stay six: never added up to reach ten");
        setup.Target.Weights.ShouldBe([10], "no step advances without a passing interval");
    }

    [Fact]
    public async Task No_series_with_enough_requests_fails_and_the_failure_limit_ends_the_canary_with_its_traffic_back_first()
    {
        var setup = new Setup(", minRequests: 10, failureLimit: 2, metrics: [ { name: e, query: 'q', max: 0.1 } ]");
        setup.Prometheus.Answer = _ => new PromAnswer(null);
        await setup.StepAsync();

        (await setup.IntervalAsync(20)).ShouldBeOfType<StepResult.Pending>();
        var failed = (await setup.IntervalAsync(20)).ShouldBeOfType<StepResult.Failed>();

        failed.Reason.ShouldStartWith("canary failed: e no series");
        failed.Diagnosis.ShouldNotBeNull().ShouldContain("failed:    2 interval(s)");
        setup.Target.Aborted.ShouldBe(1);
        (await setup.Store.GetAsync(2, CancellationToken.None))!.Weight.ShouldBe(0);
        (await setup.StepAsync()).ShouldBeOfType<StepResult.Failed>("a canary found failed stays failed");
        setup.Target.Weights.ShouldBe([10]);
    }

    [Fact]
    public async Task A_step_advances_after_its_pause_and_a_pass_and_waits_for_approval_where_it_says_so()
    {
        var setup = new Setup(", metrics: [ { name: e, query: 'q', max: 0.1 } ]", "{ weight: 10, pause: 4s }, { weight: 50, pause: 4s, approval: true }",
            ", approval: { required: 1, approvers: [release-managers] }");
        setup.Prometheus.Answer = _ => new PromAnswer(0.01);
        await setup.StepAsync();
        await setup.IntervalAsync(0);
        setup.Target.Weights.ShouldBe([10], "the pause has not passed");
        await setup.IntervalAsync(0);
        setup.Target.Weights.ShouldBe([10, 50]);
        for (var i = 0; i < 5; i++)
        {
            (await setup.IntervalAsync(0)).ShouldBeOfType<StepResult.Pending>().Progress.ShouldNotBeNull().ShouldContain(i < 1 ? "pausing" : "waiting for approval");
        }
        (await setup.Store.ApproveStepAsync(2, 1, "bob", "approved", Start, CancellationToken.None)).ShouldBeTrue();
        (await setup.StepAsync()).ShouldBeOfType<StepResult.Succeeded>();
        setup.Target.Weights.ShouldBe([10, 50, 100]);
    }

    [Fact]
    public async Task A_steps_approval_expires_like_a_request_for_approval()
    {
        var setup = new Setup(", metrics: [ { name: e, query: 'q', max: 0.1 } ]", "{ weight: 10, pause: 2s, approval: true }",
            ", approval: { required: 1, approvers: [release-managers], expiry: 6s }");
        await setup.StepAsync();
        StepResult result = StepResult.Wait(TimeSpan.Zero);
        for (var i = 0; i < 6 && result is StepResult.Pending; i++)
        {
            result = await setup.IntervalAsync(0);
        }
        result.ShouldBeOfType<StepResult.Failed>().Reason.ShouldBe("canary: the approval of step 1 (10%) was not given within 6s after its pause");
        setup.Target.Aborted.ShouldBe(1);
    }

    [Fact]
    public async Task A_step_with_no_passing_interval_fails_as_inconclusive_after_max_wait()
    {
        var setup = new Setup(", minRequests: 5, maxWait: 6s, metrics: [ { name: e, query: 'q', max: 0.1 } ]", "{ weight: 10, pause: 4s }");
        await setup.StepAsync();
        StepResult result = StepResult.Wait(TimeSpan.Zero);
        for (var i = 0; i < 5 && result is StepResult.Pending; i++)
        {
            result = await setup.IntervalAsync(0);
        }
        result.ShouldBeOfType<StepResult.Failed>().Reason.ShouldStartWith("canary inconclusive: no interval passed within 6s");
    }

    [Fact]
    public async Task Compared_with_its_baseline_the_canary_fails_when_worse_by_more_than_the_tolerance()
    {
        var setup = new Setup(", metrics: [ { name: e, query: 'x{v=\"{version}\"}', max: 0.5, compare: baseline, tolerance: 0.01 } ]");
        setup.Prometheus.Answer = query => new PromAnswer(query.Contains("bbbbbbb", StringComparison.Ordinal) ? 0.05 : 0.01);
        await setup.StepAsync();

        var failed = (await setup.IntervalAsync(0)).ShouldBeOfType<StepResult.Failed>();

        failed.Reason.ShouldBe("canary failed: e 0.05 (baseline 0.01): 0.05 is worse than the baseline's 0.01 by more than the tolerance 0.01");
        setup.Prometheus.Asked.ShouldBe(["x{v=\"bbbbbbb\"}", "x{v=\"aaaaaaa\"}"]);
    }

    [Fact]
    public async Task A_person_aborts_or_promotes_and_a_deployment_given_up_on_loses_its_canary()
    {
        var abort = new Setup(", minRequests: 5");
        await abort.StepAsync();
        (await abort.Store.AskAsync(2, CanaryAsk.Abort, "root", "asked", Start, CancellationToken.None)).ShouldBeTrue();
        (await abort.StepAsync()).ShouldBeOfType<StepResult.Failed>().Reason.ShouldBe("canary aborted by root");

        var promote = new Setup(", minRequests: 5");
        await promote.StepAsync();
        (await promote.Store.AskAsync(2, CanaryAsk.Promote, "root", "asked", Start, CancellationToken.None)).ShouldBeTrue();
        (await promote.StepAsync()).ShouldBeOfType<StepResult.Succeeded>();
        promote.Target.Weights.ShouldBe([10, 100]);

        var abandoned = new Setup(", minRequests: 5");
        await abandoned.StepAsync();
        (await abandoned.Runner.AbandonAsync(abandoned.Context, abandoned.Target, CancellationToken.None)).ShouldNotBeNull();
        abandoned.Target.Aborted.ShouldBe(1);
        (await abandoned.Runner.AbandonAsync(abandoned.Context, abandoned.Target, CancellationToken.None)).ShouldBeNull("once");
    }

    internal sealed class Target : ICanaryTarget
    {
        public List<int> Weights { get; } = [];

        public int Aborted { get; private set; }

        public long Requests { get; set; }

        public Task<string> SetCanaryWeightAsync(TargetContext context, int weight, CancellationToken cancellationToken)
        {
            if (Weights.Count == 0 || Weights[^1] != weight)
            {
                Weights.Add(weight);
            }
            return Task.FromResult("");
        }

        public Task<string> AbortCanaryAsync(TargetContext context, CancellationToken cancellationToken)
        {
            Aborted++;
            return Task.FromResult("back");
        }

        public long? CanaryRequests(TargetContext context) => Requests;
    }

    internal sealed class Prometheus : IPrometheusQueries
    {
        public Func<string, PromAnswer> Answer { get; set; } = _ => new PromAnswer(0);

        public List<string> Asked { get; } = [];

        public Task<PromAnswer> QueryAsync(CanaryAnalysisConfig analysis, string query, CancellationToken cancellationToken)
        {
            Asked.Add(query);
            return Task.FromResult(Answer(query));
        }
    }

    internal sealed class Store : ICanaryStore
    {
        private CanaryState? _state;

        public List<CanaryAnalysis> Analyses { get; } = [];

        public Task<CanaryState?> GetAsync(long deploymentId, CancellationToken cancellationToken) => Task.FromResult(_state);

        public Task SaveAsync(CanaryState state, bool clearAsked, CanaryNote? note, CancellationToken cancellationToken)
        {
            _state = state with
            {
                Asked = clearAsked ? null : _state?.Asked,
                AskedBy = clearAsked ? null : _state?.AskedBy,
                Approvals = _state is { } kept && kept.Step == state.Step ? kept.Approvals : state.Approvals,
            };
            return Task.CompletedTask;
        }

        public Task AddAnalysesAsync(long deploymentId, IReadOnlyList<CanaryAnalysis> analyses, CancellationToken cancellationToken)
        {
            Analyses.AddRange(analyses);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<CanaryAnalysis>> AnalysesAsync(long deploymentId, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<CanaryAnalysis>>(Analyses.TakeLast(limit).ToList());

        public Task<bool> AskAsync(long deploymentId, string ask, string by, string message, DateTimeOffset now, CancellationToken cancellationToken)
        {
            if (_state is not { Weight: > 0 and < 100, Asked: null })
            {
                return Task.FromResult(false);
            }
            _state = _state with { Asked = ask, AskedBy = by };
            return Task.FromResult(true);
        }

        public Task SetFlagsAsync(long deploymentId, string document, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<CanaryFlagSet>> RunningFlagsAsync(string environment, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<CanaryFlagSet>>([]);

        public Task<bool> ApproveStepAsync(long deploymentId, int step, string by, string message, DateTimeOffset now, CancellationToken cancellationToken)
        {
            if (_state is not { Weight: > 0 and < 100 } state || state.Step != step || state.Approvals.Contains(by))
            {
                return Task.FromResult(false);
            }
            _state = state with { Approvals = [.. state.Approvals, by] };
            return Task.FromResult(true);
        }
    }
}
