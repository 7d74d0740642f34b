using System.Globalization;
using System.Text.Json.Nodes;
using static Onward.Core.Kubernetes.ObjectFields;

namespace Onward.Core.Kubernetes;

/// <summary>
/// rule 4 of docs/ARCHITECTURE.md as pure functions over objects as the API server returns them (<c>kubectl get -o json</c>): an
/// object is verified only when every set of rules that has a verdict on it agrees that it is done — kubectl's
/// rollout status (<see cref="KubectlRolloutStatus"/>), kstatus (<see cref="KstatusStatus"/>) and Argo CD's health
/// (<see cref="ArgoCdHealth"/>), with Onward's own rules where kubectl has none (Jobs, Pods, OnDelete workloads) —
/// and it fails as soon as one of them reports a failure. A List of a workload with its ReplicaSets and Pods also
/// fails fast on a Pod of the new revision that cannot start, instead of waiting for a deadline.
/// </summary>
public static class WorkloadHealth
{
    public const string Rules = "onward";

    /// <summary>How long a Pod of a workload may stay unschedulable before it counts as failed (autoscalers add nodes in that time).</summary>
    public static readonly TimeSpan UnschedulableGrace = TimeSpan.FromSeconds(30);

    private static readonly HashSet<string> FatalWaitingReasons =
        ["ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff", "CreateContainerConfigError", "InvalidImageName", "CreateContainerError"];

    private static readonly string[] Order = [Rules, KubectlRolloutStatus.Rules, KstatusStatus.Rules, ArgoCdHealth.Rules];

    /// <summary>Evaluates an object, or a <c>List</c> of a workload and its Pods (and ReplicaSets).</summary>
    public static HealthReport Evaluate(JsonNode document, DateTimeOffset now)
    {
        if (Kind(document) != "List")
        {
            return Combine(document, Views(document, now));
        }
        var items = (document["items"] as JsonArray ?? []).Where(i => i is not null).Select(i => i!).ToList();
        var workload = items.FirstOrDefault(i => Kind(i) is "Deployment" or "StatefulSet" or "DaemonSet" or "Job");
        var pods = items.Where(i => Kind(i) == "Pod").ToList();
        if (workload is null)
        {
            return pods.Count == 0
                ? new HealthReport("List", "", HealthStatus.Failed, true, "the list holds no workload and no pod")
                : Worst(pods.Select(p => Evaluate(p, now)));
        }
        var report = Evaluate(workload, now);
        // Which Pods are "new" is known only once the controller has observed the current spec; before that,
        // the failing Pods of an earlier rollout would be blamed on this one.
        var observed = Long(workload, "status", "observedGeneration") >= Long(workload, "metadata", "generation");
        if (report.Status == HealthStatus.Progressing && observed)
        {
            var revision = NewRevisionSelector(workload, items);
            var finite = Kind(workload) == "Job";
            var failing = pods.Where(p => revision is null || Labels(p).GetValueOrDefault(revision.Value.Key) == revision.Value.Value)
                .Select(p => Pod(p, now, finite))
                .FirstOrDefault(p => p.Status == HealthStatus.Failed);
            if (failing is not null)
            {
                return report with { Status = HealthStatus.Failed, Done = true, Message = $"{failing.Message} (pod {failing.Name} of the new revision)" };
            }
        }
        return report;
    }

    /// <summary>Every set of rules' verdict on one object: Onward's own where it has them, kubectl's, kstatus's and Argo CD's.</summary>
    public static IReadOnlyList<HealthView> Views(JsonNode o, DateTimeOffset now)
    {
        var views = new List<HealthView>();
        if (Own(o, now) is { } own)
        {
            views.Add(own);
        }
        if (KubectlRolloutStatus.Evaluate(o) is { } kubectl)
        {
            views.Add(kubectl);
        }
        views.Add(KstatusStatus.Evaluate(o, now));
        if (ArgoCdHealth.Evaluate(o) is { } argo)
        {
            views.Add(argo);
        }
        return views;
    }

    private static HealthReport Combine(JsonNode o, IReadOnlyList<HealthView> views)
    {
        var kind = Kind(o) ?? "object";
        var name = Name(o);
        var counted = views.Where(v => Counts(v, o)).OrderBy(v => Array.IndexOf(Order, v.Rules)).ToList();
        var container = Kind(o) == "Pod" ? ContainerOf(o) : null;
        if (counted.FirstOrDefault(v => v.Status == HealthStatus.Failed) is { } failed)
        {
            return new HealthReport(kind, name, HealthStatus.Failed, true, Say(failed, kind, name)) { Views = views, Container = container };
        }
        if (counted.All(v => v.Status == HealthStatus.Healthy))
        {
            var said = counted.FirstOrDefault(v => v.Message.Length > 0);
            return new HealthReport(kind, name, HealthStatus.Healthy, true, said is null ? $"{kind} \"{name}\" is current" : Say(said, kind, name)) { Views = views };
        }
        var waiting = counted.First(v => v.Status != HealthStatus.Healthy);
        return new HealthReport(kind, name, HealthStatus.Progressing, false, Say(waiting, kind, name)) { Views = views };
    }

    /// <summary>
    /// Whether a view's verdict counts. kstatus counts an OnDelete DaemonSet's updated Pods, which it has only once
    /// someone deletes the old ones; that count is left out, as Argo CD leaves it out (its verdict stands otherwise).
    /// </summary>
    private static bool Counts(HealthView view, JsonNode o) =>
        !(view.Rules == KstatusStatus.Rules && view.Reason == "LessUpdated" && Kind(o) == "DaemonSet" && OnDelete(o));

    /// <summary>A verdict in words: kubectl's and Onward's as they are, the others with their source named.</summary>
    private static string Say(HealthView view, string kind, string name)
    {
        var message = view.Message.Length > 0 ? view.Message : $"{kind} \"{name}\" is {view.State}";
        return view.Rules is Rules or KubectlRolloutStatus.Rules ? message : $"{message} ({(view.Rules == ArgoCdHealth.Rules ? "Argo CD" : view.Rules)}: {view.State})";
    }

    /// <summary>Onward's own rules, for what kubectl has none for: Jobs, Pods, and workloads that update OnDelete.</summary>
    private static HealthView? Own(JsonNode o, DateTimeOffset now)
    {
        HealthView From(HealthReport report) => new(Rules, report.Status, report.Status.ToString(), "", report.Message);
        return (Group(o), Kind(o)) switch
        {
            ("batch", "Job") => From(Job(o)),
            ("", "Pod") => From(Pod(o, now)),
            ("apps", "StatefulSet" or "DaemonSet") when OnDelete(o) => OnDeleteReady(o),
            _ => null,
        };
    }

    /// <summary>
    /// A workload that updates OnDelete keeps its Pods until someone deletes them, so kubectl has no rollout to follow:
    /// it is verified by its Pods of the current revision being ready, once the controller has seen the spec.
    /// </summary>
    private static HealthView OnDeleteReady(JsonNode o)
    {
        var name = Name(o);
        if (Long(o, "metadata", "generation") > Long(o, "status", "observedGeneration"))
        {
            return new HealthView(Rules, HealthStatus.Progressing, "Progressing", "", $"Waiting for {Kind(o)!.ToLowerInvariant()} spec update to be observed...");
        }
        var (want, ready) = Kind(o) == "StatefulSet"
            ? (Long(o, 1, "spec", "replicas"), Long(o, "status", "readyReplicas"))
            : (Long(o, "status", "desiredNumberScheduled"), Math.Min(Long(o, "status", "numberReady"), Long(o, "status", "numberAvailable")));
        return ready < want
            ? new HealthView(Rules, HealthStatus.Progressing, "Progressing", "", $"Waiting for {Kind(o)!.ToLowerInvariant()} \"{name}\" (OnDelete): {ready} of {want} pods are ready...")
            : new HealthView(Rules, HealthStatus.Healthy, "Healthy", "", $"{Kind(o)!.ToLowerInvariant()} \"{name}\" (OnDelete): {ready} of {want} pods of the current revision are ready; they take a new template when deleted");
    }

    private static bool OnDelete(JsonNode o) => Text(o["spec"]?["updateStrategy"], "type") == "OnDelete";

    public static HealthReport Job(JsonNode j)
    {
        var name = Name(j);
        if (Condition(j, "Failed") is { } failed && IsTrue(failed))
        {
            return new HealthReport("Job", name, HealthStatus.Failed, true, $"job \"{name}\" failed: {Text(failed, "reason")}: {Text(failed, "message")}".TrimEnd(':', ' '));
        }
        if (Condition(j, "Complete") is { } complete && IsTrue(complete))
        {
            return new HealthReport("Job", name, HealthStatus.Healthy, true, $"job \"{name}\" completed");
        }
        return new HealthReport("Job", name, HealthStatus.Progressing, false,
            $"Waiting for job \"{name}\" to complete: {Long(j, "status", "succeeded")} succeeded, {Long(j, "status", "active")} active...");
    }

    /// <summary>
    /// A Pod by its phase and containers, with its restart policy and last termination in view: a container that cannot
    /// start (image, configuration, crash loop, any waiting reason that is an error or a back-off), one OOM-killed, a
    /// Pod that failed, or one unschedulable for longer than the grace has failed. For <paramref name="finite"/> Pods
    /// (a Job's), a failed attempt is the Job's to retry: only a container that cannot start at all fails it.
    /// </summary>
    public static HealthReport Pod(JsonNode p, DateTimeOffset now, bool finite = false)
    {
        var name = Name(p);
        var phase = Text(p["status"], "phase") ?? "Pending";
        var restartPolicy = Text(p["spec"], "restartPolicy") ?? "Always";
        var statuses = (p["status"]?["initContainerStatuses"] as JsonArray ?? []).Concat(p["status"]?["containerStatuses"] as JsonArray ?? []).Where(c => c is not null).Select(c => c!).ToList();
        foreach (var container in statuses)
        {
            var waiting = container["state"]?["waiting"];
            var reason = Text(waiting, "reason");
            if (reason is not null && (FatalWaitingReasons.Contains(reason) || reason.StartsWith("Err", StringComparison.Ordinal) || reason.EndsWith("Error", StringComparison.Ordinal) || reason.EndsWith("BackOff", StringComparison.Ordinal))
                && !(finite && reason == "CrashLoopBackOff"))
            {
                return new HealthReport("Pod", name, HealthStatus.Failed, true,
                    $"container \"{Text(container, "name")}\" is {reason}: {Text(waiting, "message") ?? "no message"} (restarts: {Long(container, "restartCount")})")
                { Container = Text(container, "name") };
            }
            var terminated = container["lastState"]?["terminated"] ?? container["state"]?["terminated"];
            if (!finite && restartPolicy == "Always" && Text(terminated, "reason") == "OOMKilled")
            {
                return new HealthReport("Pod", name, HealthStatus.Failed, true,
                    $"container \"{Text(container, "name")}\" was OOMKilled (exit code {Long(terminated!, "exitCode")}, restarts: {Long(container, "restartCount")})")
                { Container = Text(container, "name") };
            }
        }
        if (phase == "Failed" && !finite)
        {
            var exited = statuses.FirstOrDefault(c => Long(c["state"]?["terminated"] ?? new JsonObject(), "exitCode") != 0);
            var detail = Text(p["status"], "message") ?? (exited is null ? Text(p["status"], "reason") ?? "" : $"container \"{Text(exited, "name")}\" failed with exit code {Long(exited["state"]!["terminated"]!, "exitCode")}");
            return new HealthReport("Pod", name, HealthStatus.Failed, true, $"pod \"{name}\" failed: {detail}".TrimEnd(':', ' ')) { Container = exited is null ? null : Text(exited, "name") };
        }
        if (phase == "Succeeded")
        {
            return new HealthReport("Pod", name, HealthStatus.Healthy, true, $"pod \"{name}\" completed");
        }
        if (Condition(p, "PodScheduled") is { } scheduled && Text(scheduled, "status") == "False" && Text(scheduled, "reason") == "Unschedulable")
        {
            var since = DateTimeOffset.TryParse(Text(scheduled, "lastTransitionTime"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : now;
            var message = $"pod \"{name}\" is Unschedulable: {Text(scheduled, "message")}";
            return now - since >= UnschedulableGrace
                ? new HealthReport("Pod", name, HealthStatus.Failed, true, message)
                : new HealthReport("Pod", name, HealthStatus.Progressing, false, message);
        }
        if (phase == "Running" && IsTrue(Condition(p, "Ready")))
        {
            return new HealthReport("Pod", name, HealthStatus.Healthy, true, $"pod \"{name}\" is running and ready");
        }
        return new HealthReport("Pod", name, HealthStatus.Progressing, false, $"pod \"{name}\" is {phase}, not ready yet");
    }

    private static string? ContainerOf(JsonNode p) => Pod(p, DateTimeOffset.MaxValue).Container;

    /// <summary>The label that marks Pods of the newest revision: the newest ReplicaSet's pod-template-hash, or the update revision.</summary>
    private static KeyValuePair<string, string>? NewRevisionSelector(JsonNode workload, List<JsonNode> items)
    {
        if (Kind(workload) is "StatefulSet" or "DaemonSet")
        {
            return Text(workload["status"], "updateRevision") is { } updateRevision ? new("controller-revision-hash", updateRevision) : null;
        }
        if (Kind(workload) == "Job")
        {
            return null;
        }
        var revision = Text(workload["metadata"]?["annotations"], "deployment.kubernetes.io/revision");
        var replicaSet = items.Where(i => Kind(i) == "ReplicaSet")
            .FirstOrDefault(rs => Text(rs["metadata"]?["annotations"], "deployment.kubernetes.io/revision") == revision);
        return replicaSet is not null && Labels(replicaSet).TryGetValue("pod-template-hash", out var hash) ? new("pod-template-hash", hash) : null;
    }

    private static HealthReport Worst(IEnumerable<HealthReport> reports)
    {
        var list = reports.ToList();
        return list.FirstOrDefault(r => r.Status == HealthStatus.Failed) ?? list.FirstOrDefault(r => r.Status == HealthStatus.Progressing) ?? list[0];
    }
}
