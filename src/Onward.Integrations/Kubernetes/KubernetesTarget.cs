using System.Globalization;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Onward.Core.Configuration;
using Onward.Core.Drift;
using Onward.Core.Kubernetes;
using Onward.Core.Pipeline;
using Onward.Core.Previews;
using Onward.Core.Releases;
using Onward.Core.Targets;
using Onward.Integrations.Git;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// The <c>kubernetes</c> target. Apply renders the release's manifests for the environment (a directory, a Kustomize
/// overlay or a render command), resolves every kind through the cluster's discovery, keeps what it rendered per
/// deployment, and applies it with server-side apply in a safe order (CRDs first, established before their objects).
/// Verification reads the cluster's shared watches and judges every applied object by <see cref="WorkloadHealth"/>,
/// failing fast on a Pod of the new revision that cannot start. A verified release prunes what the previous one
/// applied and this one does not; drift from what was applied is found from the same watches.
/// </summary>
public sealed partial class KubernetesTarget : IDeploymentTarget, IPreviewTarget
{
    private const int LogLines = 30;
    private const int ShownObjects = 20;
    private static readonly TimeSpan EstablishWithin = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan GoneWithin = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<(string Service, string Environment), Verification> _verifying = new();
    private readonly string _dataDir;
    private readonly GitSourceRepository _source;
    private readonly ClusterClients _clusters;
    private readonly IManifestStore _manifests;
    private readonly IJobQueue _jobs;
    private readonly DriftSignals _drift;
    private readonly ManifestSources _sources;
    private readonly TimeProvider _time;
    private readonly ILogger<KubernetesTarget> _logger;

    public KubernetesTarget(
        string dataDir, GitSourceRepository source, ClusterClients clusters, IManifestStore manifests, IJobQueue jobs, DriftSignals drift,
        ChartFetcher charts, TimeProvider time, ILogger<KubernetesTarget> logger)
    {
        (_dataDir, _source, _clusters, _manifests, _jobs, _drift, _time, _logger) = (dataDir, source, clusters, manifests, jobs, drift, time, logger);
        _sources = new ManifestSources(dataDir, charts);
        _clusters.Connected += cluster => cluster.Cache.Changed += Changed;
    }

    public TargetKind Kind => TargetKind.Kubernetes;

    /// <summary>A preview on a cluster is reached through the team's ingress, at <c>previews.url</c>: the target cannot tell.</summary>
    public Task<string?> AddressAsync(ServiceConfig service, EnvironmentConfig environment, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>The label of a namespace Onward made for a preview, naming the preview's environment.</summary>
    public const string PreviewLabel = "onward.dev/preview";

    /// <summary>
    /// Deletes the preview's namespace, and with it everything in it, provided Onward created it for this preview (it
    /// carries <see cref="PreviewLabel"/> with the preview's name); any other namespace is left as it is, with what
    /// Onward applied there. Answers null while the namespace is being deleted (the step looks again).
    /// </summary>
    public async Task<string?> DestroyAsync(string service, EnvironmentConfig environment, CancellationToken cancellationToken)
    {
        var ns = environment.Target.Kubernetes!.Namespace;
        var cluster = _clusters.For(environment);
        var (status, body, message) = await KubernetesRequests.ReadAsync(cluster.Client, ResourceMapping.Namespaces.ObjectPath(null, ns), cancellationToken);
        if (status == 404)
        {
            return $"namespace {ns} deleted, with everything in it";
        }
        if (status != 200)
        {
            throw new KubernetesException($"the API server answered {status} {message} when asked for namespace {ns}", status);
        }
        if (body?["metadata"]?["labels"]?[PreviewLabel]?.GetValue<string>() != environment.Name)
        {
            return $"namespace {ns} was not created by Onward for {environment.Name} (it has no {PreviewLabel}: {environment.Name} label) and was left as it is";
        }
        if (body["metadata"]?["deletionTimestamp"] is not null)
        {
            return null;
        }
        var (ok, detail) = await KubernetesRequests.DeleteAsync(cluster.Client, ResourceMapping.Namespaces, null, ns, cancellationToken);
        return ok ? null : throw new KubernetesException($"namespace {ns} could not be deleted: {detail}", 0);
    }

    /// <summary>The deployments verifying now, with what they applied: the watches' changes are judged against them.</summary>
    private sealed record Verification(long DeploymentId, ClusterCache Cache, IReadOnlyList<RenderedObject> Objects);

    public async Task<StepResult> ApplyAsync(TargetContext context, CancellationToken cancellationToken)
    {
        if (context.Release.ImageReference is null)
        {
            return StepResult.Fail($"{context.Release.Service} {context.Release.Version} has no image; Kubernetes environments need an image build (buildah, docker or external)");
        }
        var cluster = _clusters.For(context.Environment);
        var (objects, invalid) = await RenderAsync(context, context.Release, context.Deployment.Id, cancellationToken);
        if (invalid is not null)
        {
            // A renderer's error output may quote what it read from the cluster or a vault: the secrets known here are masked.
            return StepResult.Fail("invalid manifests, nothing was applied: " + (await NamespaceSecretsAsync(context, cancellationToken)).Mask(invalid));
        }
        var kinds = context.Service.Deploy.SecretKinds;
        await _manifests.SaveAsync(context.Deployment.Id, RenderedManifests.Serialize(objects, kinds), SecretKind.Signature(kinds), cancellationToken);
        var target = context.Environment.Target.Kubernetes!;
        if (await EnsureNamespaceAsync(cluster, target, context.Environment.Preview is null ? null : context.Environment.Name, objects, cancellationToken) is { } noNamespace)
        {
            return noNamespace;
        }
        if (context.Canary is not null)
        {
            var (copies, problem) = await CanaryCopiesAsync(context, objects, cancellationToken);
            if (problem is not null)
            {
                return StepResult.Fail($"the canary cannot start, nothing was applied: {problem}");
            }
            var canaryNotes = new List<string>();
            // Pre-upgrade hooks (a schema migration) run before the canary's Pods do; post-upgrade hooks once the release is applied at 100 %.
            if (await RunHooksAsync(context, cluster, objects.Where(o => o.Hook is not null).ToList(), pre: true, canaryNotes, cancellationToken) is { } preHookFailed)
            {
                return preHookFailed;
            }
            if (await ApplyAllAsync(cluster, copies, context.Service.Deploy.SecretKinds, cancellationToken) is { } canaryFailed)
            {
                return canaryFailed;
            }
            return StepResult.Done(string.Concat(canaryNotes.Select(n => n + "; ")) + $"applied the canary beside {context.Previous?.Release.Version}: {string.Join(", ", copies.Select(c => $"{c.Kind.Kind}/{c.Name}"))} in {target.Namespace}; the rest of the release follows at 100 %");
        }
        var hooks = objects.Where(o => o.Hook is not null).ToList();
        objects = objects.Where(o => o.Hook is null).ToList();
        var notes = new List<string>();
        if (await RunHooksAsync(context, cluster, hooks, pre: true, notes, cancellationToken) is { } hookFailed)
        {
            return hookFailed;
        }
        if (await ApplyAllAsync(cluster, objects, context.Service.Deploy.SecretKinds, cancellationToken) is { } failed)
        {
            return failed;
        }
        notes.AddRange(hooks.SelectMany(h => h.Hook!.NotRun.Select(e => $"not run: the {e} hook {h.Describe()} (Onward runs install and upgrade hooks only)")));
        var shown = string.Join(", ", objects.Take(ShownObjects).Select(o => $"{o.Kind.Kind}/{o.Name}")) + (objects.Count > ShownObjects ? $" and {objects.Count - ShownObjects} more" : "");
        return StepResult.Done(string.Join("; ", notes.Append($"applied {objects.Count} objects to {target.Namespace}: {shown}")));
    }

    public async Task<StepResult> VerifyAsync(TargetContext context, CancellationToken cancellationToken)
    {
        var kept = await LoadAsync(context.Deployment.Id, cancellationToken, hooks: true);
        if (kept is null)
        {
            return StepResult.Fail("the manifests this deployment applied are not kept; it cannot be verified");
        }
        if (context.Canary is not null)
        {
            var (copies, problem) = await CanaryCopiesAsync(context, kept, cancellationToken);
            return problem is not null ? StepResult.Fail(problem) : await WatchRolloutAsync(context, copies, context.Deployment.VerifyDeadline, cancellationToken);
        }
        var objects = kept.Where(o => o.Hook is null).ToList();
        var verified = await WatchRolloutAsync(context, objects, context.Deployment.VerifyDeadline, cancellationToken);
        var hooks = kept.Where(o => o.Hook?.RunsAt(context.Previous is null, pre: false) is not null).ToList();
        if (verified is not StepResult.Succeeded done || hooks.Count == 0)
        {
            return verified;
        }
        var notes = new List<string>();
        return await RunHooksAsync(context, _clusters.For(context.Environment), hooks, pre: false, notes, cancellationToken)
            ?? StepResult.Done(string.Join("; ", notes.Prepend(done.Output ?? "verified")));
    }

    public async Task<StepResult> VerifyRestoreAsync(TargetContext context, CancellationToken cancellationToken)
    {
        var previous = context.Previous!.Value;
        var objects = await LoadAsync(previous.Deployment.Id, cancellationToken);
        if (objects is null)
        {
            return StepResult.Fail($"the manifests {previous.Release.Version} was deployed with are not kept any more");
        }
        // An object whose secret values could not be put back was left out of the restore (its timeline says so): it
        // still carries the failed deployment's stamp, and is not waited for.
        var cache = _clusters.For(context.Environment).Cache;
        var restored = previous.Deployment.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var awaited = objects.Where(o => o.Secrets is null || !cache.Synced(o.Kind, o.Namespace)
            || (cache.Get(o.Kind, o.Namespace, o.Name)?["metadata"]?["annotations"]?["onward.dev/deployment-id"] as JsonValue)?.ToString() == restored).ToList();
        var verified = await WatchRolloutAsync(context, awaited, context.Deployment.UpdatedAt + context.Service.VerifyTimeout, cancellationToken);
        if (verified is not StepResult.Succeeded done || !context.Service.Deploy.Prune)
        {
            return verified;
        }
        // What the failed release added and the restored one does not have goes too: the environment is as it was.
        var failed = await LoadAsync(context.Deployment.Id, cancellationToken) ?? [];
        var notes = await PruneAsync(context, failed, objects, cancellationToken);
        return notes.Count == 0 ? verified : StepResult.Done(done.Output + "; " + string.Join("; ", notes));
    }

    /// <summary>After the rollout is verified: what the previous release applied and this one no longer has is deleted.</summary>
    public async Task<IReadOnlyList<string>> PromoteAsync(TargetContext context, CancellationToken cancellationToken)
    {
        var notes = context.Canary is null ? [] : await FinishCanaryAsync(context, cancellationToken);
        if (!context.Service.Deploy.Prune || context.Previous is not { } previous)
        {
            return notes;
        }
        var before = await LoadAsync(previous.Deployment.Id, cancellationToken);
        var now = await LoadAsync(context.Deployment.Id, cancellationToken);
        return before is null || now is null ? notes : [.. notes, .. await PruneAsync(context, before, now, cancellationToken)];
    }

    public async Task<string> RestoreAsync(TargetContext context, CancellationToken cancellationToken)
    {
        Forget(context);
        if (context.Previous is not { } previous || await LoadAsync(previous.Deployment.Id, cancellationToken) is not { } objects)
        {
            return "there is no earlier release to restore; the failed one stays applied";
        }
        var (filled, left) = await WithSecretsAsync(context, previous.Release, previous.Deployment.Id, objects, cancellationToken);
        var failed = await ApplyAllAsync(_clusters.For(context.Environment), filled, context.Service.Deploy.SecretKinds, cancellationToken);
        return (failed is StepResult.Failed f
            ? $"re-applying {previous.Release.Version} failed too: {f.Reason}"
            : $"re-applied {previous.Release.Version}'s manifests ({filled.Count} objects)") + string.Concat(left.Select(l => "; " + l));
    }

    /// <summary>The cluster kept running while Onward was down; verification re-attaches through the watches.</summary>
    public Task<string?> AdoptAsync(TargetContext context, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>A cluster keeps no leftovers of its own: an apply replaces the previous release's objects.</summary>
    public Task<IReadOnlyList<(long DeploymentId, string Note)>> StopLeftoversAsync(IReadOnlySet<long> keep, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<(long, string)>>([]);

    /// <summary>
    /// How the environment's live objects differ from what its current deployment applied, from the shared watches;
    /// null while the watches have not listed yet.
    /// </summary>
    public async Task<IReadOnlyList<DriftDifference>?> DriftAsync(TargetContext context, CancellationToken cancellationToken)
    {
        if (await LoadAsync(context.Deployment.Id, cancellationToken) is not { } objects)
        {
            return null;
        }
        var cache = _clusters.For(context.Environment).Cache;
        foreach (var item in objects)
        {
            cache.Watch(item.Kind, item.Namespace);
        }
        if (objects.Any(o => !cache.Synced(o.Kind, o.Namespace)))
        {
            return null;
        }
        var scaled = Autoscaled(objects);
        var kinds = context.Service.Deploy.SecretKinds;
        return objects.SelectMany(o =>
        {
            var live = cache.Get(o.Kind, o.Namespace, o.Name);
            // Secret values are compared by their digests alone, so that no value reaches a difference.
            // What was masked is read from what was kept with the object, whatever the configuration says today.
            var secret = o.Secrets is { } kept ? kept.Fields.ToHashSet(StringComparer.Ordinal) : SecretValues.Paths(o.Body, kinds);
            var ignored = new HashSet<string>(secret.Concat(scaled.Contains((o.Kind.Kind, o.Namespace, o.Name)) ? ReplicasOnly : []).Concat(CanaryOwned(o, live)));
            var differences = ManifestDrift.Compare(o.Describe(), o.Body, live, ignored.Count == 0 ? null : ignored);
            if (live is not null && o.Secrets is { } digests)
            {
                differences.AddRange(SecretValues.Drift(o.Describe(), digests, live));
            }
            return differences;
        }).ToList();
    }

    /// <summary>Applies the current deployment's manifests again, as they were rendered.</summary>
    public async Task<string> HealAsync(TargetContext context, CancellationToken cancellationToken)
    {
        if (await LoadAsync(context.Deployment.Id, cancellationToken) is not { } objects)
        {
            return "the manifests to apply again are not kept";
        }
        var (filled, left) = await WithSecretsAsync(context, context.Release, context.Deployment.Id, objects, cancellationToken);
        var failed = await ApplyAllAsync(_clusters.For(context.Environment), filled, context.Service.Deploy.SecretKinds, cancellationToken);
        return (failed is StepResult.Failed f ? $"applying {context.Release.Version} again failed: {f.Reason}" : $"applied {context.Release.Version} again ({filled.Count} objects)")
            + string.Concat(left.Select(l => "; " + l));
    }

    /// <summary>Renders a release's manifests for the environment and resolves them through the cluster's discovery.</summary>
    private async Task<(List<RenderedObject> Objects, string? Invalid)> RenderAsync(TargetContext context, Release release, long deploymentId, CancellationToken cancellationToken)
    {
        var mirror = _source.MirrorPath(context.Service.Name);
        var cluster = _clusters.For(context.Environment);
        var capabilities = context.Service.Deploy.Helm is null ? null : await HelmCapabilities.ReadAsync(cluster.Client, cluster.Discovery, cancellationToken);
        var (documents, unreadable) = await _sources.ReadAsync(mirror, release, context.Service, context.Environment, deploymentId, cancellationToken, capabilities);
        if (unreadable is not null)
        {
            return ([], unreadable);
        }
        return await ManifestRenderer.PrepareAsync(
            documents, release, context.Service, context.Environment, deploymentId, cluster.Discovery, cancellationToken);
    }

    /// <summary>
    /// The kept objects with their secret values put back, to apply them again: each value comes from the live object
    /// while it still has the kept digest, else from rendering the same release again. An object that neither gives
    /// is left out (applying it with *** would overwrite its values), with a note saying so.
    /// </summary>
    private async Task<(List<RenderedObject> Objects, List<string> Left)> WithSecretsAsync(
        TargetContext context, Release release, long deploymentId, List<RenderedObject> objects, CancellationToken cancellationToken)
    {
        if (objects.All(o => o.Secrets is null))
        {
            return (objects, []);
        }
        var cluster = _clusters.For(context.Environment);
        Dictionary<(string, string?, string), JsonObject>? rendered = null;
        string? renderFailure = null;
        var filled = new List<RenderedObject>();
        var left = new List<string>();
        foreach (var item in objects)
        {
            if (item.Secrets is not { } digests)
            {
                filled.Add(item);
                continue;
            }
            var (_, live, _) = await KubernetesRequests.ReadAsync(cluster.Client, item.Kind.ObjectPath(item.Namespace, item.Name), cancellationToken);
            var (body, missing) = SecretValues.Fill(item.Body, digests, [live]);
            if (body is null && rendered is null)
            {
                var (again, invalid) = await RenderAsync(context, release, deploymentId, cancellationToken);
                rendered = again.ToDictionary(o => o.Identity, o => o.Body);
                renderFailure = invalid is null ? null : (await NamespaceSecretsAsync(context, cancellationToken)).Mask(invalid);
            }
            if (body is null)
            {
                (body, missing) = SecretValues.Fill(item.Body, digests, [live, rendered!.GetValueOrDefault(item.Identity)]);
            }
            if (body is null)
            {
                left.Add($"not applied {item.Describe()}: the cluster no longer holds its secret values ({string.Join(", ", missing)}) and "
                    + (renderFailure is not null ? $"rendering {release.Version} again failed: {renderFailure}" : $"rendering {release.Version} again gave other values"));
                continue;
            }
            filled.Add(item with { Body = body, Secrets = null });
        }
        return (filled, left);
    }

    /// <summary>The secret values Onward can know of in the environment's namespace: its Secrets as the watches see them.</summary>
    private SecretText KnownSecrets(TargetContext context)
    {
        var cache = _clusters.For(context.Environment).Cache;
        return SecretText.Of(cache.List(ResourceMapping.Secrets, context.Environment.Target.Kubernetes!.Namespace), context.Service.Deploy.SecretKinds);
    }

    /// <summary>
    /// The values of the namespace's Secrets, for a failure's text: from the watches when they follow Secrets there
    /// (the release applies some), else read once (a failure is rare; reading needs `list` on secrets, else nothing is known).
    /// </summary>
    private async Task<SecretText> NamespaceSecretsAsync(TargetContext context, CancellationToken cancellationToken)
    {
        var cluster = _clusters.For(context.Environment);
        var ns = context.Environment.Target.Kubernetes!.Namespace;
        if (cluster.Cache.Synced(ResourceMapping.Secrets, ns))
        {
            return KnownSecrets(context);
        }
        var (status, list, _) = await KubernetesRequests.ReadAsync(cluster.Client, ResourceMapping.Secrets.CollectionPath(ns), cancellationToken);
        return status == 200 && list?["items"] is JsonArray items
            ? SecretText.Of(items.OfType<JsonObject>(), context.Service.Deploy.SecretKinds)
            : SecretText.None;
    }

    private static readonly HashSet<string> ReplicasOnly = ["spec.replicas"];

    /// <summary>The objects an autoscaler in the same release scales: their replica count is the autoscaler's, not drift.</summary>
    private static HashSet<(string Kind, string? Namespace, string Name)> Autoscaled(IEnumerable<RenderedObject> objects) =>
        objects.Where(o => o.Kind.Kind == "HorizontalPodAutoscaler")
            .Select(o => ((o.Body["spec"]?["scaleTargetRef"]?["kind"] as JsonValue)?.ToString() ?? "", o.Namespace, (o.Body["spec"]?["scaleTargetRef"]?["name"] as JsonValue)?.ToString() ?? ""))
            .ToHashSet();

    /// <summary>Judges every object of <paramref name="objects"/>; the watches wake the job when a change may end the wait.</summary>
    private async Task<StepResult> WatchRolloutAsync(TargetContext context, List<RenderedObject> objects, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        var cluster = _clusters.For(context.Environment);
        var key = (context.Service.Name, context.Environment.Name);
        _verifying[key] = new Verification(context.Deployment.Id, cluster.Cache, objects);
        var (synced, reports) = Judge(cluster.Cache, objects);
        if (!synced)
        {
            // The watches wake the job once they have listed and there is a verdict; this is a safety net.
            return StepResult.Wait(TimeSpan.FromSeconds(1));
        }
        var failed = reports.FirstOrDefault(r => r.Report.Status == HealthStatus.Failed);
        if (failed.Report is not null)
        {
            Forget(context);
            // Logs, events and messages come from the cluster and may quote a secret the workload was given.
            var secrets = await SecretsAroundAsync(context, cluster, failed.Item, cancellationToken);
            var diagnosis = await DiagnoseAsync(cluster, failed.Item, failed.Report, cancellationToken);
            return StepResult.Fail(secrets.Mask($"{failed.Item.Kind.Kind}/{failed.Item.Name}: {failed.Report.Message}"), secrets.Mask(diagnosis));
        }
        if (reports.All(r => r.Report.Status == HealthStatus.Healthy))
        {
            Forget(context);
            var workloads = reports.Where(r => r.Item.Kind.IsWorkload).Select(r => r.Report.Message).ToList();
            var others = reports.Count - workloads.Count;
            return StepResult.Done("verified: " + string.Join("; ", workloads.Append(others == 0 ? "" : $"{others} other object{(others == 1 ? " is" : "s are")} current").Where(m => m.Length > 0)));
        }
        var waiting = string.Join("; ", reports.Where(r => r.Report.Status != HealthStatus.Healthy).Select(r => r.Report.Message));
        if (deadline is { } end && _time.GetUtcNow() >= end)
        {
            Forget(context);
            waiting = (await NamespaceSecretsAsync(context, cancellationToken)).Mask(waiting);
            return StepResult.Fail($"the rollout did not finish within {DurationText.Format(context.Service.VerifyTimeout)}: {waiting}", $"still waiting for: {waiting}");
        }
        // The watches wake this deployment's job when a change may end the wait; the recheck is only a safety net.
        return StepResult.Wait(TimeSpan.FromSeconds(2), KnownSecrets(context).Mask(waiting));
    }

    private void Forget(TargetContext context) => _verifying.TryRemove((context.Service.Name, context.Environment.Name), out _);

    /// <summary>Every applied object's verdict from the cache, once the watches that cover them have listed.</summary>
    private (bool Synced, List<(RenderedObject Item, HealthReport Report)> Reports) Judge(ClusterCache cache, IReadOnlyList<RenderedObject> objects)
    {
        var now = _time.GetUtcNow();
        var reports = new List<(RenderedObject, HealthReport)>();
        var synced = true;
        foreach (var item in objects)
        {
            cache.Watch(item.Kind, item.Namespace);
            if (item.Kind.IsWorkload)
            {
                cache.Watch(ResourceMapping.Pods, item.Namespace);
                cache.Watch(ResourceMapping.ReplicaSets, item.Namespace);
                synced &= cache.Synced(ResourceMapping.Pods, item.Namespace) && cache.Synced(ResourceMapping.ReplicaSets, item.Namespace);
            }
            synced &= cache.Synced(item.Kind, item.Namespace);
        }
        if (!synced)
        {
            return (false, reports);
        }
        foreach (var item in objects)
        {
            var live = cache.Get(item.Kind, item.Namespace, item.Name);
            var applied = (item.Body["metadata"]?["annotations"]?["onward.dev/deployment-id"] as JsonValue)?.ToString();
            if (live is null || (live["metadata"]?["annotations"]?["onward.dev/deployment-id"] as JsonValue)?.ToString() != applied)
            {
                // The watch has not shown the applied object yet (or someone deleted it): its verdict would be the old one's.
                reports.Add((item, new HealthReport(item.Kind.Kind, item.Name, HealthStatus.Progressing, false,
                    $"waiting for {item.Describe()} as applied to be seen")));
                continue;
            }
            reports.Add((item, WorkloadHealth.Evaluate(item.Kind.IsWorkload ? WithOwned(cache, item, live) : live, now)));
        }
        return (true, reports);
    }

    /// <summary>A workload with the ReplicaSets and Pods it owns (by ownerReferences), as a List for <see cref="WorkloadHealth"/>.</summary>
    private static JsonObject WithOwned(ClusterCache cache, RenderedObject item, JsonObject live)
    {
        var uid = Uid(live);
        var replicaSets = cache.List(ResourceMapping.ReplicaSets, item.Namespace).Where(rs => OwnedBy(rs, uid)).ToList();
        var owners = replicaSets.Select(Uid).Append(uid).ToHashSet();
        var pods = cache.List(ResourceMapping.Pods, item.Namespace).Where(p => owners.Any(o => OwnedBy(p, o)));
        return new JsonObject
        {
            ["kind"] = "List",
            ["items"] = new JsonArray(new[] { live }.Concat(replicaSets).Concat(pods).Select(o => (JsonNode)o.DeepClone()).ToArray()),
        };
    }

    private static string Uid(JsonObject o) => (o["metadata"]?["uid"] as JsonValue)?.ToString() ?? "";

    private static bool OwnedBy(JsonObject o, string uid) =>
        (o["metadata"]?["ownerReferences"] as JsonArray ?? []).Any(r => (r?["uid"] as JsonValue)?.ToString() == uid);

    /// <summary>
    /// A change the watches saw: for a deployment verifying there, it wakes the job (in memory) when it may end the
    /// wait (something failed, or everything is healthy); anywhere else it may be drift, and the drift check looks soon.
    /// </summary>
    private void Changed(ResourceMapping kind, JsonObject item, bool deleted)
    {
        var labels = item["metadata"]?["labels"] as JsonObject;
        var service = (labels?[ManifestRenderer.ServiceLabel] as JsonValue)?.ToString();
        var environment = (labels?[ManifestRenderer.EnvironmentLabel] as JsonValue)?.ToString();
        if (service is null || environment is null)
        {
            return;
        }
        if (!_verifying.TryGetValue((service, environment), out var verification))
        {
            if (kind != ResourceMapping.Pods && kind != ResourceMapping.ReplicaSets)
            {
                _drift.Suspect(service, environment);
            }
            return;
        }
        var (synced, reports) = Judge(verification.Cache, verification.Objects);
        if (synced && (reports.Any(r => r.Report.Status == HealthStatus.Failed) || reports.All(r => r.Report.Status == HealthStatus.Healthy)))
        {
            _jobs.Wake(JobKind.Deploy, verification.DeploymentId);
        }
    }

    /// <summary>Creates the environment's namespace when it is missing, unless the manifests make it or the environment says not to.</summary>
    /// <param name="preview">A preview's environment: the namespace Onward makes is labelled as that preview's, which its destroy requires.</param>
    private static async Task<StepResult?> EnsureNamespaceAsync(
        Cluster cluster, KubernetesTargetConfig target, string? preview, List<RenderedObject> objects, CancellationToken cancellationToken)
    {
        if (objects.Any(o => o.Kind.Is("", "Namespace") && o.Name == target.Namespace))
        {
            return null;
        }
        var (status, body, message) = await KubernetesRequests.ReadAsync(cluster.Client, ResourceMapping.Namespaces.ObjectPath(null, target.Namespace), cancellationToken);
        if (status == 200 && body?["metadata"]?["deletionTimestamp"] is not null)
        {
            // A preview destroyed a moment ago and back already: its old namespace is still going.
            return StepResult.Wait(TimeSpan.FromSeconds(1), $"namespace {target.Namespace} is still being deleted; applying once it is gone");
        }
        if (status != 404)
        {
            // There, or not ours to look at (403): the applies will say if it is missing.
            return status is 200 or 401 or 403 ? null : throw new KubernetesException($"the API server answered {status} {message} when asked for namespace {target.Namespace}", status);
        }
        if (!target.CreateNamespace)
        {
            return StepResult.Fail($"namespace {target.Namespace} does not exist, nothing was applied; create it, add it to the manifests, or set `createNamespace: true` on the environment's target");
        }
        var item = new RenderedObject(ResourceMapping.Namespaces, null, target.Namespace, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject
            {
                ["name"] = target.Namespace,
                ["labels"] = preview is null
                    ? new JsonObject { [ManifestRenderer.ManagedBy] = "onward" }
                    : new JsonObject { [ManifestRenderer.ManagedBy] = "onward", [PreviewLabel] = preview },
            },
        });
        var (ok, detail) = await KubernetesRequests.ApplyAsync(cluster.Client, item, cancellationToken);
        return ok ? null : StepResult.Fail($"namespace {target.Namespace} does not exist and creating it failed, nothing was applied: {detail}");
    }

    /// <summary>
    /// Applies in order: namespaces and CRDs first, and every CRD established (and discovery read again) before the
    /// rest, so that objects of a kind the release itself defines can be applied.
    /// </summary>
    private async Task<StepResult?> ApplyAllAsync(Cluster cluster, List<RenderedObject> objects, IReadOnlyList<SecretKind> secretKinds, CancellationToken cancellationToken)
    {
        foreach (var item in objects.Where(o => ApplyOrder.IsFoundation(o.Kind)))
        {
            if (await ApplyOneAsync(cluster, item, secretKinds, cancellationToken) is { } failed)
            {
                return failed;
            }
        }
        foreach (var crd in objects.Where(o => o.Kind == ResourceMapping.Definitions))
        {
            if (await EstablishedAsync(cluster, crd, cancellationToken) is { } notEstablished)
            {
                return notEstablished;
            }
        }
        foreach (var item in objects.Where(o => !ApplyOrder.IsFoundation(o.Kind)))
        {
            if (await ApplyOneAsync(cluster, item, secretKinds, cancellationToken) is { } failed)
            {
                return failed;
            }
        }
        return null;
    }

    private async Task<StepResult?> ApplyOneAsync(Cluster cluster, RenderedObject item, IReadOnlyList<SecretKind> secretKinds, CancellationToken cancellationToken)
    {
        var secrets = SecretText.Of([item.Body], secretKinds);
        var (ok, detail) = await KubernetesRequests.ApplyAsync(cluster.Client, item, secrets, cancellationToken);
        if (!ok && item.Kind.Is("batch", "Job") && detail.StartsWith("422", StringComparison.Ordinal) && detail.Contains("field is immutable", StringComparison.Ordinal))
        {
            // A Job's template cannot change; a new release's Job replaces the old one, as `kubectl replace --force` does.
            _logger.LogInformation("Replacing {Job}: its template changed", item.Describe());
            await KubernetesRequests.DeleteAsync(cluster.Client, item.Kind, item.Namespace, item.Name, cancellationToken);
            if (!await GoneAsync(cluster, item, cancellationToken))
            {
                return StepResult.Fail($"applying {item.Describe()} failed: the Job's template changed and the old Job was not gone within {DurationText.Format(GoneWithin)}");
            }
            (ok, detail) = await KubernetesRequests.ApplyAsync(cluster.Client, item, secrets, cancellationToken);
        }
        return ok ? null : StepResult.Fail($"applying {item.Describe()} failed: {detail}" + (item.Source.Length > 0 ? $" (from {item.Source})" : ""));
    }

    private async Task<bool> GoneAsync(Cluster cluster, RenderedObject item, CancellationToken cancellationToken)
    {
        var until = _time.GetUtcNow() + GoneWithin;
        while (_time.GetUtcNow() < until)
        {
            if ((await KubernetesRequests.ReadAsync(cluster.Client, item.Kind.ObjectPath(item.Namespace, item.Name), cancellationToken)).Status == 404)
            {
                return true;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken);
        }
        return false;
    }

    /// <summary>Waits until the CRD's names are accepted and it is Established, then forgets what discovery knew of its group.</summary>
    private async Task<StepResult?> EstablishedAsync(Cluster cluster, RenderedObject crd, CancellationToken cancellationToken)
    {
        var until = _time.GetUtcNow() + EstablishWithin;
        var reason = "";
        while (_time.GetUtcNow() < until)
        {
            var (_, live, _) = await KubernetesRequests.ReadAsync(cluster.Client, crd.Kind.ObjectPath(null, crd.Name), cancellationToken);
            var conditions = (live?["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var established = conditions.FirstOrDefault(c => (c["type"] as JsonValue)?.ToString() == "Established");
            var names = conditions.FirstOrDefault(c => (c["type"] as JsonValue)?.ToString() == "NamesAccepted");
            if ((established?["status"] as JsonValue)?.ToString() == "True")
            {
                var group = (crd.Body["spec"]?["group"] as JsonValue)?.ToString();
                foreach (var version in (crd.Body["spec"]?["versions"] as JsonArray ?? []).Select(v => (v?["name"] as JsonValue)?.ToString()))
                {
                    cluster.Discovery.Forget($"{group}/{version}");
                }
                return null;
            }
            if ((names?["status"] as JsonValue)?.ToString() == "False")
            {
                return StepResult.Fail($"CustomResourceDefinition/{crd.Name} was not accepted: {(names?["message"] as JsonValue)?.ToString()}");
            }
            reason = (established?["message"] as JsonValue)?.ToString() ?? "";
            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken);
        }
        return StepResult.Fail($"CustomResourceDefinition/{crd.Name} was not Established within {DurationText.Format(EstablishWithin)}{(reason.Length > 0 ? ": " + reason : "")}");
    }

    /// <summary>
    /// Runs the Helm hooks due before (<paramref name="pre"/>) or after the release, in Helm's order: each is deleted
    /// first unless its policy says otherwise, applied, and for a Job or a Pod waited for until it finished (within the
    /// service's verification timeout); the first that fails stops the deployment. Returns that failure, or null with
    /// one note per hook added to <paramref name="notes"/>.
    /// </summary>
    private async Task<StepResult?> RunHooksAsync(
        TargetContext context, Cluster cluster, List<RenderedObject> hooks, bool pre, List<string> notes, CancellationToken cancellationToken)
    {
        var install = context.Previous is null;
        var due = HelmHook.InOrder(hooks.Select(h => (h, h.Hook!)).Where(h => h.Item2.RunsAt(install, pre) is not null)).ToList();
        var stopped = pre ? "; the release's objects were not applied" : "";
        foreach (var item in due)
        {
            var hook = item.Hook!;
            var name = $"the {hook.RunsAt(install, pre)} hook {item.Describe()}";
            if (hook.DeletePolicies.Contains(HelmHook.BeforeCreation))
            {
                await KubernetesRequests.DeleteAsync(cluster.Client, item.Kind, item.Namespace, item.Name, cancellationToken);
                if (!await GoneAsync(cluster, item, cancellationToken))
                {
                    return StepResult.Fail($"{name} of an earlier deployment was not gone within {DurationText.Format(GoneWithin)}{stopped}");
                }
            }
            if (await ApplyOneAsync(cluster, item, context.Service.Deploy.SecretKinds, cancellationToken) is StepResult.Failed applyFailed)
            {
                return StepResult.Fail($"{name}: {applyFailed.Reason}{stopped}");
            }
            var (ok, outcome) = await HookOutcomeAsync(cluster, item, _time.GetUtcNow() + context.Service.VerifyTimeout, cancellationToken);
            var diagnosis = ok ? null : await HookLogAsync(context, cluster, item, cancellationToken);
            if (hook.DeletePolicies.Contains(ok ? HelmHook.Succeeded : HelmHook.Failed))
            {
                await KubernetesRequests.DeleteAsync(cluster.Client, item.Kind, item.Namespace, item.Name, cancellationToken);
                outcome += ", then deleted";
            }
            if (!ok)
            {
                var secrets = await NamespaceSecretsAsync(context, cancellationToken);
                return StepResult.Fail(secrets.Mask($"{name} failed: {outcome}{stopped}"), diagnosis is null ? null : secrets.Mask(diagnosis));
            }
            notes.Add($"ran {name}: {outcome}");
        }
        return null;
    }

    /// <summary>How a hook ended: a Job when it completed or failed, a Pod when it succeeded or failed, anything else once applied.</summary>
    private async Task<(bool Ok, string Outcome)> HookOutcomeAsync(Cluster cluster, RenderedObject item, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var job = item.Kind.Is("batch", "Job");
        if (!job && !item.Kind.Is("", "Pod"))
        {
            return (true, "applied");
        }
        while (true)
        {
            var (status, live, message) = await KubernetesRequests.ReadAsync(cluster.Client, item.Kind.ObjectPath(item.Namespace, item.Name), cancellationToken);
            if (status == 404)
            {
                return (false, "it was deleted before it finished");
            }
            if (live is not null)
            {
                if (job)
                {
                    var report = WorkloadHealth.Job(live);
                    if (report.Status != HealthStatus.Progressing)
                    {
                        return (report.Status == HealthStatus.Healthy, report.Message);
                    }
                }
                else if ((live["status"]?["phase"] as JsonValue)?.ToString() is { } phase && phase is "Succeeded" or "Failed")
                {
                    return (phase == "Succeeded", $"pod \"{item.Name}\" {phase.ToLowerInvariant()}");
                }
            }
            if (_time.GetUtcNow() >= deadline)
            {
                return (false, $"it did not finish within the verification timeout{(live is null ? $" ({status} {message})" : "")}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), _time, cancellationToken);
        }
    }

    /// <summary>The last log lines of a failed hook's Pod (the Job's newest), to say why it failed.</summary>
    private static async Task<string?> HookLogAsync(TargetContext context, Cluster cluster, RenderedObject item, CancellationToken cancellationToken)
    {
        var ns = item.Namespace ?? context.Environment.Target.Kubernetes!.Namespace;
        var pod = item.Name;
        if (item.Kind.Is("batch", "Job"))
        {
            var pods = await KubernetesRequests.GetAsync(cluster.Client, ResourceMapping.Pods.CollectionPath(ns, ("labelSelector", $"job-name={item.Name}")), cancellationToken);
            var newest = (pods?["items"] as JsonArray ?? []).OfType<JsonObject>()
                .MaxBy(p => (p["metadata"]?["creationTimestamp"] as JsonValue)?.ToString() ?? "", StringComparer.Ordinal);
            if ((newest?["metadata"]?["name"] as JsonValue)?.ToString() is not { } name)
            {
                return null;
            }
            pod = name;
        }
        var log = await KubernetesRequests.TextAsync(cluster.Client,
            ResourceMapping.Pods.ObjectPath(ns, pod, "log", ("tailLines", LogLines.ToString(CultureInfo.InvariantCulture))), cancellationToken);
        return $"hook:       {item.Describe()}\npod:        {pod}\nlast {LogLines} log lines:\n" + (log.Length == 0 ? "(none)\n" : log.EndsWith('\n') ? log : log + "\n");
    }

    /// <summary>
    /// Deletes what <paramref name="before"/> applied and <paramref name="after"/> does not, newest kinds first, only
    /// where the live object still carries this service's and environment's labels; namespaces and CRDs only when
    /// annotated <c>onward.dev/prune: "true"</c>. Returns one note per object, for the timeline.
    /// </summary>
    private async Task<IReadOnlyList<string>> PruneAsync(TargetContext context, List<RenderedObject> before, List<RenderedObject> after, CancellationToken cancellationToken)
    {
        var kept = after.Select(o => o.Identity).ToHashSet();
        var gone = before.Where(o => !kept.Contains(o.Identity)).Reverse().ToList();
        if (gone.Count == 0)
        {
            return [];
        }
        var cluster = _clusters.For(context.Environment);
        var notes = new List<string>();
        foreach (var item in gone)
        {
            var (status, live, message) = await KubernetesRequests.ReadAsync(cluster.Client, item.Kind.ObjectPath(item.Namespace, item.Name), cancellationToken);
            if (status == 404)
            {
                continue;
            }
            if (live is null)
            {
                notes.Add($"not pruned {item.Describe()}: reading it failed ({status} {message})");
                continue;
            }
            var labels = live["metadata"]?["labels"] as JsonObject;
            if ((labels?[ManifestRenderer.ServiceLabel] as JsonValue)?.ToString() != context.Service.Name
                || (labels?[ManifestRenderer.EnvironmentLabel] as JsonValue)?.ToString() != context.Environment.Name)
            {
                notes.Add($"not pruned {item.Describe()}: it no longer carries Onward's labels for {context.Service.Name} in {context.Environment.Name}");
                continue;
            }
            if ((live["metadata"]?["annotations"]?["helm.sh/resource-policy"] as JsonValue)?.ToString() == "keep")
            {
                notes.Add($"not pruned {item.Describe()}: its chart keeps it (helm.sh/resource-policy: keep)");
                continue;
            }
            var guarded = item.Kind.Is("", "Namespace") || item.Kind == ResourceMapping.Definitions;
            if (guarded && (live["metadata"]?["annotations"]?["onward.dev/prune"] as JsonValue)?.ToString() != "true")
            {
                notes.Add($"not pruned {item.Describe()}: a {item.Kind.Kind} is deleted only when annotated onward.dev/prune: \"true\"");
                continue;
            }
            var (ok, detail) = await KubernetesRequests.DeleteAsync(cluster.Client, item.Kind, item.Namespace, item.Name, cancellationToken);
            notes.Add(ok ? $"pruned {item.Describe()}: no longer in the manifests" : $"pruning {item.Describe()} failed: {detail}");
        }
        return notes;
    }

    /// <summary>
    /// The secret values a failing workload may print or be quoted with: the Secrets of its namespace the watches hold,
    /// the values of the release's other secret-bearing objects, and the Secrets its Pods use (read when not watched).
    /// </summary>
    private async Task<SecretText> SecretsAroundAsync(TargetContext context, Cluster cluster, RenderedObject workload, CancellationToken cancellationToken)
    {
        var kinds = context.Service.Deploy.SecretKinds;
        var known = new List<JsonObject>(cluster.Cache.List(ResourceMapping.Secrets, workload.Namespace));
        var applied = await LoadAsync(context.Deployment.Id, cancellationToken) ?? [];
        known.AddRange(applied.Where(o => o.Secrets is not null).Select(o => cluster.Cache.Get(o.Kind, o.Namespace, o.Name)).OfType<JsonObject>());
        if (workload.Kind.IsWorkload && cluster.Cache.Get(workload.Kind, workload.Namespace, workload.Name) is { } live)
        {
            var names = WithOwned(cluster.Cache, workload, live)["items"]!.AsArray().OfType<JsonObject>()
                .Where(o => (o["kind"] as JsonValue)?.ToString() == "Pod")
                .SelectMany(SecretsUsedBy).Distinct(StringComparer.Ordinal)
                .Where(name => known.All(k => (k["metadata"]?["name"] as JsonValue)?.ToString() != name || (k["kind"] as JsonValue)?.ToString() != "Secret"));
            foreach (var name in names)
            {
                // Reading a Secret needs `get` on secrets; without it (403) the values cannot be known and are not masked.
                var (status, secret, _) = await KubernetesRequests.ReadAsync(cluster.Client, ResourceMapping.Secrets.ObjectPath(workload.Namespace, name), cancellationToken);
                if (status == 200 && secret is not null)
                {
                    known.Add(secret);
                }
            }
        }
        return SecretText.Of(known, kinds);
    }

    /// <summary>The names of the Secrets a Pod's containers and volumes take values from.</summary>
    private static IEnumerable<string> SecretsUsedBy(JsonObject pod)
    {
        var spec = pod["spec"];
        var containers = (spec?["containers"] as JsonArray ?? []).Concat(spec?["initContainers"] as JsonArray ?? []).OfType<JsonObject>();
        foreach (var container in containers)
        {
            foreach (var env in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if ((env["valueFrom"]?["secretKeyRef"]?["name"] as JsonValue)?.ToString() is { } name)
                {
                    yield return name;
                }
            }
            foreach (var from in (container["envFrom"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if ((from["secretRef"]?["name"] as JsonValue)?.ToString() is { } name)
                {
                    yield return name;
                }
            }
        }
        foreach (var volume in (spec?["volumes"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if ((volume["secret"]?["secretName"] as JsonValue)?.ToString() is { } name)
            {
                yield return name;
            }
            foreach (var source in (volume["projected"]?["sources"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if ((source["secret"]?["name"] as JsonValue)?.ToString() is { } projected)
                {
                    yield return projected;
                }
            }
        }
    }

    private async Task<string> DiagnoseAsync(Cluster cluster, RenderedObject workload, HealthReport report, CancellationToken cancellationToken)
    {
        var text = new StringBuilder()
            .Append("workload:   ").Append(workload.Describe()).Append('\n')
            .Append("reason:     ").Append(report.Message).Append('\n');
        if (!workload.Kind.IsWorkload || cluster.Cache.Get(workload.Kind, workload.Namespace, workload.Name) is not { } live)
        {
            return text.ToString();
        }
        var owned = WithOwned(cluster.Cache, workload, live)["items"]!.AsArray().OfType<JsonObject>()
            .Where(o => (o["kind"] as JsonValue)?.ToString() == "Pod");
        var failing = owned
            .Select(p => (Pod: p, Health: WorkloadHealth.Pod(p, _time.GetUtcNow())))
            .FirstOrDefault(p => p.Health.Status == HealthStatus.Failed);
        if (failing.Pod is { } pod)
        {
            var name = (pod["metadata"]?["name"] as JsonValue)?.ToString() ?? "";
            var ns = workload.Namespace!;
            var statuses = (pod["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            // The container the failure is about, as the pod's report names it; else the pod's first.
            var container = statuses.FirstOrDefault(c => (c["name"] as JsonValue)?.ToString() == failing.Health.Container) ?? statuses.FirstOrDefault();
            var containerName = (container?["name"] as JsonValue)?.ToString() ?? "";
            text.Append("pod:        ").Append(name).Append('\n')
                .Append("container:  ").Append(containerName).Append('\n')
                .Append("restarts:   ").Append(container?["restartCount"]?.ToJsonString() ?? "0").Append('\n')
                .Append("message:    ").Append(failing.Health.Message).Append('\n');
            // The log and the events are asked for at once: the failure is reported as soon as both are in.
            var logRequest = KubernetesRequests.TextAsync(cluster.Client,
                ResourceMapping.Pods.ObjectPath(ns, name, "log", ("container", containerName), ("tailLines", LogLines.ToString(CultureInfo.InvariantCulture))), cancellationToken);
            var eventsRequest = KubernetesRequests.GetAsync(cluster.Client, ResourceMapping.Events.CollectionPath(ns, ("fieldSelector", $"involvedObject.name={name}")), cancellationToken);
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
    /// What a deployment rendered and applied, as kept in the database (secret values as <c>***</c>): the release's
    /// objects, and its Helm hooks only when asked for (they are not verified, pruned, restored or checked for drift).
    /// </summary>
    private async Task<List<RenderedObject>?> LoadAsync(long deploymentId, CancellationToken cancellationToken, bool hooks = false) =>
        await _manifests.GetAsync(deploymentId, cancellationToken) is { } text
            ? RenderedManifests.Deserialize(text).Where(o => hooks || o.Hook is null).ToList()
            : null;
}
