using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Onward.Core.Configuration;
using Onward.Core.Kubernetes;
using Onward.Core.Pipeline;
using Onward.Core.Releases;
using Onward.Core.Targets;
using Onward.Integrations.Git;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// The <c>kubernetes</c> target: renders the release's manifests, applies them with server-side apply in a safe
/// order, and verifies every workload by watching it and its Pods with the rules of <see cref="WorkloadHealth"/>,
/// failing fast on a Pod of the new revision that cannot start. Rendered manifests are kept per deployment under
/// <c>dataDir/rendered</c>, so that a failure can re-apply the previous release's exactly.
/// </summary>
public sealed class KubernetesTarget(
    string dataDir, GitSourceRepository source, ClusterClients clusters, IJobQueue jobs, TimeProvider time, ILogger<KubernetesTarget> logger)
    : IDeploymentTarget, IAsyncDisposable
{
    private const int LogLines = 30;
    private readonly ConcurrentDictionary<(long Deployment, string Workload), RolloutWatch> _watches = new();

    public TargetKind Kind => TargetKind.Kubernetes;

    public async Task<StepResult> ApplyAsync(TargetContext context, CancellationToken cancellationToken)
    {
        if (context.Release.ImageReference is null)
        {
            return StepResult.Fail($"{context.Release.Service} {context.Release.Version} has no image; Kubernetes environments need an image build (buildah, docker or external)");
        }
        var (objects, error) = await ManifestRenderer.RenderAsync(
            source.MirrorPath(context.Service.Name), context.Release, context.Service, context.Environment, context.Deployment.Id, cancellationToken);
        if (error is not null)
        {
            return StepResult.Fail("invalid manifests, nothing was applied: " + error);
        }
        Directory.CreateDirectory(Path.Combine(dataDir, "rendered"));
        await File.WriteAllTextAsync(RenderedPath(context.Deployment.Id), Serialize(objects), cancellationToken);
        var applied = await ApplyAllAsync(context.Environment, objects, cancellationToken);
        return applied ?? StepResult.Done($"applied {objects.Count} objects to {context.Environment.Target.Kubernetes!.Namespace}: {string.Join(", ", objects.Select(o => $"{o.Kind.Kind}/{o.Name}"))}");
    }

    public async Task<StepResult> VerifyAsync(TargetContext context, CancellationToken cancellationToken) =>
        await WatchRolloutAsync(context.Deployment.Id, "", await LoadAsync(context.Deployment.Id, cancellationToken), context,
            context.Deployment.VerifyDeadline, cancellationToken);

    public async Task<StepResult> VerifyRestoreAsync(TargetContext context, CancellationToken cancellationToken)
    {
        var previous = context.Previous!.Value;
        if (!File.Exists(RenderedPath(previous.Deployment.Id)))
        {
            return StepResult.Fail($"the manifests {previous.Release.Version} was deployed with are not kept any more");
        }
        return await WatchRolloutAsync(context.Deployment.Id, "restore:", await LoadAsync(previous.Deployment.Id, cancellationToken), context,
            context.Deployment.UpdatedAt + context.Service.VerifyTimeout, cancellationToken);
    }

    /// <summary>Evaluates the watched workloads of <paramref name="objects"/>; the watches wake the job on every change.</summary>
    private async Task<StepResult> WatchRolloutAsync(
        long id, string purpose, List<RenderedObject> objects, TargetContext context, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        var client = clusters.For(context.Environment);
        var reports = new List<HealthReport>();
        foreach (var workload in objects.Where(o => o.Kind.Workload))
        {
            var watch = _watches.GetOrAdd((id, purpose + workload.Describe()), _ => new RolloutWatch(client, workload, logger, () => Wake(id)));
            if (!watch.Synced)
            {
                // The watches wake the job once they have listed and there is a verdict; this is a safety net.
                return StepResult.Wait(TimeSpan.FromSeconds(1));
            }
            var report = WorkloadHealth.Evaluate(watch.Snapshot(), time.GetUtcNow());
            if (report.Status == HealthStatus.Failed)
            {
                var diagnosis = await DiagnoseAsync(client, watch, report, cancellationToken);
                await StopWatchesAsync(id);
                return StepResult.Fail($"{workload.Kind.Kind}/{workload.Name}: {report.Message}", diagnosis);
            }
            reports.Add(report);
        }
        if (reports.All(r => r.Status == HealthStatus.Healthy))
        {
            await StopWatchesAsync(id);
            return StepResult.Done("verified: " + string.Join("; ", reports.Select(r => r.Message)));
        }
        var waiting = string.Join("; ", reports.Where(r => r.Status != HealthStatus.Healthy).Select(r => r.Message));
        if (deadline is { } end && time.GetUtcNow() >= end)
        {
            await StopWatchesAsync(id);
            return StepResult.Fail($"the rollout did not finish within {DurationText.Format(context.Service.VerifyTimeout)}: {waiting}", $"still waiting for: {waiting}");
        }
        // The watch wakes this deployment's job on every change; the recheck is only a safety net.
        return StepResult.Wait(TimeSpan.FromSeconds(2), waiting);
    }

    public Task PromoteAsync(TargetContext context, CancellationToken cancellationToken) => StopWatchesAsync(context.Deployment.Id);

    public async Task<string> RestoreAsync(TargetContext context, CancellationToken cancellationToken)
    {
        await StopWatchesAsync(context.Deployment.Id);
        if (context.Previous is not { } previous || !File.Exists(RenderedPath(previous.Deployment.Id)))
        {
            return "there is no earlier release to restore; the failed one stays applied";
        }
        var objects = await LoadAsync(previous.Deployment.Id, cancellationToken);
        var failed = await ApplyAllAsync(context.Environment, objects, cancellationToken);
        return failed is StepResult.Failed f
            ? $"re-applying {previous.Release.Version} failed too: {f.Reason}"
            : $"re-applied {previous.Release.Version}'s manifests ({objects.Count} objects)";
    }

    /// <summary>The cluster kept running while Onward was down; verification re-attaches by watching again.</summary>
    public Task<string?> AdoptAsync(TargetContext context, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>A cluster keeps no leftovers of its own: an apply replaces the previous release's objects.</summary>
    public Task<IReadOnlyList<(long DeploymentId, string Note)>> StopLeftoversAsync(IReadOnlySet<long> keep, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<(long, string)>>([]);

    public async ValueTask DisposeAsync()
    {
        foreach (var watch in _watches.Values)
        {
            await watch.DisposeAsync();
        }
        _watches.Clear();
    }

    private async Task<StepResult?> ApplyAllAsync(EnvironmentConfig environment, List<RenderedObject> objects, CancellationToken cancellationToken)
    {
        var client = clusters.For(environment);
        foreach (var item in objects)
        {
            var (ok, detail) = await KubernetesRequests.ApplyAsync(client, item, cancellationToken);
            if (!ok)
            {
                return StepResult.Fail($"applying {item.Describe()} failed: {detail}");
            }
        }
        return null;
    }

    private async Task<string> DiagnoseAsync(k8s.Kubernetes client, RolloutWatch watch, HealthReport report, CancellationToken cancellationToken)
    {
        var text = new StringBuilder()
            .Append("workload:   ").Append(watch.Workload.Describe()).Append('\n')
            .Append("reason:     ").Append(report.Message).Append('\n');
        var failing = watch.Pods
            .Select(p => (Pod: p, Health: WorkloadHealth.Pod(p, time.GetUtcNow())))
            .FirstOrDefault(p => p.Health.Status == HealthStatus.Failed);
        if (failing.Pod is { } pod)
        {
            var name = (pod["metadata"]?["name"] as JsonValue)?.ToString() ?? "";
            var ns = watch.Workload.Namespace!;
            var statuses = (pod["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            // The container the failure is about, as the pod's report names it; else the pod's first.
            var container = statuses.FirstOrDefault(c => (c["name"] as JsonValue)?.ToString() == failing.Health.Container) ?? statuses.FirstOrDefault();
            var containerName = (container?["name"] as JsonValue)?.ToString() ?? "";
            text.Append("pod:        ").Append(name).Append('\n')
                .Append("container:  ").Append(containerName).Append('\n')
                .Append("restarts:   ").Append(container?["restartCount"]?.ToJsonString() ?? "0").Append('\n')
                .Append("message:    ").Append(failing.Health.Message).Append('\n');
            // The log and the events are asked for at once: the failure is reported as soon as both are in.
            var logRequest = KubernetesRequests.TextAsync(client, $"/api/v1/namespaces/{ns}/pods/{name}/log?container={Uri.EscapeDataString(containerName)}&tailLines={LogLines}", cancellationToken);
            var eventsRequest = KubernetesRequests.GetAsync(client, $"/api/v1/namespaces/{ns}/events?fieldSelector=" + Uri.EscapeDataString($"involvedObject.name={name}"), cancellationToken);
            var log = await logRequest;
            text.Append($"last {LogLines} log lines of {containerName}:\n").Append(log.Length == 0 ? "(none)\n" : log.EndsWith('\n') ? log : log + "\n");
            var events = await eventsRequest;
            var lines = (events?["items"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(e => (e["involvedObject"]?["name"] as JsonValue)?.ToString() == name)
                .Select(e => $"  {(e["type"] as JsonValue)?.ToString()} {(e["reason"] as JsonValue)?.ToString()}: {(e["message"] as JsonValue)?.ToString()}")
                .ToList();
            text.Append("events:\n").Append(lines.Count == 0 ? "  (none)\n" : string.Join('\n', lines) + "\n");
        }
        return text.ToString();
    }

    /// <summary>
    /// A watch event wakes the deployment's job, in memory, when it may end the wait: a workload failed, or every one is
    /// healthy. The many events of a rollout in progress change nothing a step would act on, so they cost no step (the
    /// step's own recheck still looks for the deadline).
    /// </summary>
    private void Wake(long deploymentId)
    {
        var watches = _watches.Where(w => w.Key.Deployment == deploymentId).Select(w => w.Value).ToList();
        if (watches.Any(w => !w.Synced))
        {
            // The last stream to list wakes it, once there is a whole picture to judge.
            return;
        }
        var now = time.GetUtcNow();
        var reports = watches.Select(w => WorkloadHealth.Evaluate(w.Snapshot(), now)).ToList();
        if (reports.Any(r => r.Status == HealthStatus.Failed) || reports.All(r => r.Status == HealthStatus.Healthy))
        {
            jobs.Wake(JobKind.Deploy, deploymentId);
        }
    }

    private async Task StopWatchesAsync(long deploymentId)
    {
        foreach (var key in _watches.Keys.Where(k => k.Deployment == deploymentId).ToList())
        {
            if (_watches.TryRemove(key, out var watch))
            {
                await watch.DisposeAsync();
            }
        }
    }

    private string RenderedPath(long deploymentId) => Path.Combine(dataDir, "rendered", deploymentId + ".json");

    private static string Serialize(List<RenderedObject> objects) =>
        new JsonArray(objects.Select(o => (JsonNode)new JsonObject { ["namespace"] = o.Namespace, ["body"] = o.Body.DeepClone() }).ToArray()).ToJsonString();

    private async Task<List<RenderedObject>> LoadAsync(long deploymentId, CancellationToken cancellationToken)
    {
        var array = JsonNode.Parse(await File.ReadAllTextAsync(RenderedPath(deploymentId), cancellationToken))!.AsArray();
        return array.OfType<JsonObject>().Select(entry =>
        {
            var body = (JsonObject)entry["body"]!.DeepClone();
            var kind = KnownKinds.Find((body["apiVersion"] as JsonValue)?.ToString(), (body["kind"] as JsonValue)?.ToString())
                ?? throw new JsonException("a rendered object of an unknown kind");
            return new RenderedObject(kind, (entry["namespace"] as JsonValue)?.ToString(), (body["metadata"]!["name"] as JsonValue)!.ToString(), body);
        }).ToList();
    }
}
