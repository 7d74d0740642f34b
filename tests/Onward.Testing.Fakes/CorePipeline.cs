using Microsoft.Extensions.Logging.Abstractions;
using Onward.Core.Approvals;
using Onward.Core.Builds;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Freezes;
using Onward.Core.Insight;
using Onward.Core.Promotions;
using Onward.Core.Sources;
using Onward.Core.Webhooks;

namespace Onward.Testing.Fakes;

/// <summary>
/// Core's orchestrators wired to the fakes of their ports, over an onward.yaml: what unit tests of the pipeline's
/// decisions use instead of a server, a database and processes.
/// </summary>
public sealed class CorePipeline
{
    public CorePipeline(string yaml, DateTimeOffset? start = null)
    {
        var result = ConfigParser.Parse(yaml, "onward.yaml", "/srv/onward", _ => null);
        Config = result.Config ?? throw new InvalidOperationException(string.Join("\n", result.Problems));
        Clock = new ManualClock(start ?? new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        Releases = new FakeReleaseStore(Database);
        FreezeStore = new FakeFreezeStore(Database);
        DeliveryStore = new FakeDeliveryStore(Database);
        Deployments = new FakeDeploymentStore(Releases);
        Approvals = new FakeApprovalStore(Deployments);
        Freezes = new EnvironmentFreezes(Config, FreezeStore, Clock);
        Requests = new DeploymentRequests(Config, Releases, Deployments, Source, Freezes, Clock);
        DecideApprovals = new DeploymentApprovals(Config, Deployments, Approvals, Clock);
        Promotions = new ReleasePromotions(Config, Releases, Deployments, Requests, Clock, NullLogger<ReleasePromotions>.Instance);
        Runner = new DeploymentRunner(Config, Deployments, Releases, Requests, DecideApprovals, Promotions, [Target], Clock, NoOnwardMetrics.Instance, NullLogger<DeploymentRunner>.Instance);
        Builds = new BuildRunner(Config, Releases, Deployments, Builder, Requests, Clock, NoOnwardMetrics.Instance, NullLogger<BuildRunner>.Instance);
        Watcher = new SourceWatcher(Source, RefState, Releases, Clock, NullLogger<SourceWatcher>.Instance);
        Deliveries = new DeliveryProcessor(Config, DeliveryStore, Releases, Source, Watcher, Clock, NullLogger<DeliveryProcessor>.Instance);
    }

    public OnwardConfig Config { get; }

    public ManualClock Clock { get; }

    public FakeReleaseStore Releases { get; }

    public FakeDeploymentStore Deployments { get; }

    public FakeApprovalStore Approvals { get; }

    /// <summary>What the fakes share as the stores share a database: the job queue, the audit trail, the notification outbox.</summary>
    public FakeDatabase Database { get; } = new();

    public FakeFreezeStore FreezeStore { get; }

    public FakeSourceRepository Source { get; } = new();

    public FakeRefStateStore RefState { get; } = new();

    public FakeDeliveryStore DeliveryStore { get; }

    public FakeDeploymentTarget Target { get; } = new();

    public FakeBuilder Builder { get; } = new();

    public EnvironmentFreezes Freezes { get; }

    public DeploymentRequests Requests { get; }

    public DeploymentApprovals DecideApprovals { get; }

    public ReleasePromotions Promotions { get; }

    public DeploymentRunner Runner { get; }

    public BuildRunner Builds { get; }

    public SourceWatcher Watcher { get; }

    public DeliveryProcessor Deliveries { get; }

    /// <summary>Runs a deployment's steps as the worker would, until it is done or waits for something (not longer than <paramref name="most"/> steps).</summary>
    public async Task<Core.Pipeline.StepResult> RunAsync(long deploymentId, int most = 10)
    {
        Core.Pipeline.StepResult result = Core.Pipeline.StepResult.Wait(TimeSpan.Zero);
        for (var i = 0; i < most && result is Core.Pipeline.StepResult.Pending { RecheckAfter.Ticks: 0 }; i++)
        {
            result = await Runner.StepAsync(deploymentId, CancellationToken.None);
        }
        return result;
    }

    /// <summary>A request by a person, as the API makes it.</summary>
    public Task<RequestOutcome> RequestAsync(string environment, string version, string actor = "dave", string? overrideReason = null) =>
        Requests.RequestAsync(new DeploymentRequest("shop", environment, version, null, "test", overrideReason, actor, DeploymentTrigger.Manual), CancellationToken.None);
}
