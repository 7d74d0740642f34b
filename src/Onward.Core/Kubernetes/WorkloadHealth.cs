using System.Globalization;
using System.Text.Json.Nodes;

namespace Onward.Core.Kubernetes;

/// <summary>
/// DESIGN rule 4 as pure functions over objects as the API server returns them (<c>kubectl get -o json</c>):
/// Deployments, StatefulSets and DaemonSets by the rules and messages of <c>kubectl rollout status</c>
/// (k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go), Jobs to completion, Pods by their phase and container
/// states, anything else by the kstatus convention (<c>observedGeneration</c> and a <c>Ready</c> condition).
/// A Pod of the new revision that cannot start fails the rollout at once instead of waiting for a deadline.
/// </summary>
public static class WorkloadHealth
{
    /// <summary>How long a Pod may stay unschedulable before it counts as failed (autoscalers add nodes in that time).</summary>
    public static readonly TimeSpan UnschedulableGrace = TimeSpan.FromSeconds(30);

    private static readonly HashSet<string> FatalWaitingReasons =
        ["ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff", "CreateContainerConfigError", "InvalidImageName", "CreateContainerError"];

    /// <summary>Evaluates an object, or a <c>List</c> of a workload and its Pods (and ReplicaSets).</summary>
    public static HealthReport Evaluate(JsonNode document, DateTimeOffset now)
    {
        if (Kind(document) == "List")
        {
            var items = document["items"]?.AsArray().Where(i => i is not null).Select(i => i!).ToList() ?? [];
            var workload = items.FirstOrDefault(i => Kind(i) is "Deployment" or "StatefulSet" or "DaemonSet" or "Job");
            var pods = items.Where(i => Kind(i) == "Pod").ToList();
            if (workload is null)
            {
                return pods.Count == 0
                    ? new HealthReport("List", "", HealthStatus.Failed, true, "the list holds no workload and no pod")
                    : Worst(pods.Select(p => Pod(p, now)));
            }
            var report = Evaluate(workload, now);
            // Which Pods are "new" is known only once the controller has observed the current spec; before that,
            // the failing Pods of an earlier rollout would be blamed on this one.
            var observed = Long(workload, "status", "observedGeneration") >= Long(workload, "metadata", "generation");
            if (report.Status == HealthStatus.Progressing && observed)
            {
                var revision = NewRevisionSelector(workload, items);
                var failing = pods.Where(p => revision is null || Labels(p).GetValueOrDefault(revision.Value.Key) == revision.Value.Value)
                    .Select(p => Pod(p, now))
                    .FirstOrDefault(p => p.Status == HealthStatus.Failed);
                if (failing is not null)
                {
                    return report with { Status = HealthStatus.Failed, Done = true, Message = $"{failing.Message} (pod {failing.Name} of the new revision)" };
                }
            }
            return report;
        }
        return Kind(document) switch
        {
            "Deployment" => Deployment(document),
            "StatefulSet" => StatefulSet(document),
            "DaemonSet" => DaemonSet(document),
            "Job" => Job(document),
            "Pod" => Pod(document, now),
            _ => Generic(document),
        };
    }

    public static HealthReport Deployment(JsonNode d)
    {
        var name = Name(d);
        if (Long(d, "metadata", "generation") > Long(d, "status", "observedGeneration"))
        {
            return Progressing(d, "Waiting for deployment spec update to be observed...");
        }
        if (Condition(d, "Progressing") is { } progressing && Text(progressing, "reason") == "ProgressDeadlineExceeded")
        {
            return new HealthReport("Deployment", name, HealthStatus.Failed, true, $"deployment \"{name}\" exceeded its progress deadline");
        }
        var updated = Long(d, "status", "updatedReplicas");
        var replicas = Long(d, "status", "replicas");
        var available = Long(d, "status", "availableReplicas");
        if (d["spec"]?["replicas"] is not null && updated < Long(d, "spec", "replicas"))
        {
            return Progressing(d, $"Waiting for deployment \"{name}\" rollout to finish: {updated} out of {Long(d, "spec", "replicas")} new replicas have been updated...");
        }
        if (replicas > updated)
        {
            return Progressing(d, $"Waiting for deployment \"{name}\" rollout to finish: {replicas - updated} old replicas are pending termination...");
        }
        if (available < updated)
        {
            return Progressing(d, $"Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...");
        }
        return new HealthReport("Deployment", name, HealthStatus.Healthy, true, $"deployment \"{name}\" successfully rolled out");
    }

    public static HealthReport StatefulSet(JsonNode s)
    {
        var name = Name(s);
        var strategy = Text(s["spec"]?["updateStrategy"], "type") ?? "RollingUpdate";
        if (strategy != "RollingUpdate")
        {
            return new HealthReport("StatefulSet", name, HealthStatus.Failed, true, "rollout status is only available for RollingUpdate strategy type");
        }
        var observed = Long(s, "status", "observedGeneration");
        if (observed == 0 || Long(s, "metadata", "generation") > observed)
        {
            return Progressing(s, "Waiting for statefulset spec update to be observed...");
        }
        var replicas = s["spec"]?["replicas"] is null ? (long?)null : Long(s, "spec", "replicas");
        var ready = Long(s, "status", "readyReplicas");
        if (replicas is { } r && ready < r)
        {
            return Progressing(s, $"Waiting for {r - ready} pods to be ready...");
        }
        var updated = Long(s, "status", "updatedReplicas");
        if (s["spec"]?["updateStrategy"]?["rollingUpdate"] is { } rolling)
        {
            if (replicas is { } total && rolling["partition"] is not null)
            {
                var partition = Long(rolling, "partition");
                if (updated < total - partition)
                {
                    return Progressing(s, $"Waiting for partitioned roll out to finish: {updated} out of {total - partition} new pods have been updated...");
                }
            }
            return new HealthReport("StatefulSet", name, HealthStatus.Healthy, true, $"partitioned roll out complete: {updated} new pods have been updated...");
        }
        var updateRevision = Text(s["status"], "updateRevision");
        var currentRevision = Text(s["status"], "currentRevision");
        if (updateRevision != currentRevision)
        {
            return Progressing(s, $"waiting for statefulset rolling update to complete {updated} pods at revision {updateRevision}...");
        }
        return new HealthReport("StatefulSet", name, HealthStatus.Healthy, true,
            $"statefulset rolling update complete {Long(s, "status", "currentReplicas")} pods at revision {currentRevision}...");
    }

    public static HealthReport DaemonSet(JsonNode d)
    {
        var name = Name(d);
        var strategy = Text(d["spec"]?["updateStrategy"], "type") ?? "RollingUpdate";
        if (strategy != "RollingUpdate")
        {
            return new HealthReport("DaemonSet", name, HealthStatus.Failed, true, "rollout status is only available for RollingUpdate strategy type");
        }
        if (Long(d, "metadata", "generation") > Long(d, "status", "observedGeneration"))
        {
            return Progressing(d, "Waiting for daemon set spec update to be observed...");
        }
        var desired = Long(d, "status", "desiredNumberScheduled");
        var updated = Long(d, "status", "updatedNumberScheduled");
        var available = Long(d, "status", "numberAvailable");
        if (updated < desired)
        {
            return Progressing(d, $"Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {desired} new pods have been updated...");
        }
        if (available < desired)
        {
            return Progressing(d, $"Waiting for daemon set \"{name}\" rollout to finish: {available} of {desired} updated pods are available...");
        }
        return new HealthReport("DaemonSet", name, HealthStatus.Healthy, true, $"daemon set \"{name}\" successfully rolled out");
    }

    public static HealthReport Job(JsonNode j)
    {
        var name = Name(j);
        if (Condition(j, "Failed") is { } failed && Text(failed, "status") == "True")
        {
            return new HealthReport("Job", name, HealthStatus.Failed, true, $"job \"{name}\" failed: {Text(failed, "reason")}: {Text(failed, "message")}".TrimEnd(':', ' '));
        }
        if (Condition(j, "Complete") is { } complete && Text(complete, "status") == "True")
        {
            return new HealthReport("Job", name, HealthStatus.Healthy, true, $"job \"{name}\" completed");
        }
        return Progressing(j, $"Waiting for job \"{name}\" to complete: {Long(j, "status", "succeeded")} succeeded, {Long(j, "status", "active")} active...");
    }

    public static HealthReport Pod(JsonNode p, DateTimeOffset now)
    {
        var name = Name(p);
        var phase = Text(p["status"], "phase") ?? "Pending";
        var statuses = (p["status"]?["initContainerStatuses"]?.AsArray() ?? []).Concat(p["status"]?["containerStatuses"]?.AsArray() ?? []).Where(c => c is not null).Select(c => c!).ToList();
        foreach (var container in statuses)
        {
            var waiting = container["state"]?["waiting"];
            var reason = Text(waiting, "reason");
            if (reason is not null && FatalWaitingReasons.Contains(reason))
            {
                return new HealthReport("Pod", name, HealthStatus.Failed, true,
                    $"container \"{Text(container, "name")}\" is {reason}: {Text(waiting, "message") ?? "no message"} (restarts: {Long(container, "restartCount")})")
                { Container = Text(container, "name") };
            }
            var terminated = container["lastState"]?["terminated"] ?? container["state"]?["terminated"];
            if (Text(terminated, "reason") == "OOMKilled")
            {
                return new HealthReport("Pod", name, HealthStatus.Failed, true,
                    $"container \"{Text(container, "name")}\" was OOMKilled (exit code {Long(terminated!, "exitCode")}, restarts: {Long(container, "restartCount")})")
                { Container = Text(container, "name") };
            }
        }
        if (phase == "Failed")
        {
            return new HealthReport("Pod", name, HealthStatus.Failed, true, $"pod \"{name}\" failed: {Text(p["status"], "reason")} {Text(p["status"], "message")}".TrimEnd());
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
        if (phase == "Running" && Condition(p, "Ready") is { } ready && Text(ready, "status") == "True")
        {
            return new HealthReport("Pod", name, HealthStatus.Healthy, true, $"pod \"{name}\" is running and ready");
        }
        return new HealthReport("Pod", name, HealthStatus.Progressing, false, $"pod \"{name}\" is {phase}, not ready yet");
    }

    /// <summary>kstatus: a generation the controller observed, and a <c>Ready</c> condition that says so.</summary>
    public static HealthReport Generic(JsonNode o)
    {
        var kind = Kind(o) ?? "object";
        var name = Name(o);
        if (o["status"]?["observedGeneration"] is not null && Long(o, "metadata", "generation") > Long(o, "status", "observedGeneration"))
        {
            return new HealthReport(kind, name, HealthStatus.Progressing, false, $"Waiting for {kind} spec update to be observed...");
        }
        if (Condition(o, "Ready") is not { } ready)
        {
            return new HealthReport(kind, name, HealthStatus.Healthy, true, $"{kind} \"{name}\" has no readiness to wait for");
        }
        return Text(ready, "status") switch
        {
            "True" => new HealthReport(kind, name, HealthStatus.Healthy, true, $"{kind} \"{name}\" is ready"),
            "False" when Condition(o, "Stalled") is { } stalled && Text(stalled, "status") == "True" =>
                new HealthReport(kind, name, HealthStatus.Failed, true, $"{kind} \"{name}\" is stalled: {Text(stalled, "message")}"),
            _ => new HealthReport(kind, name, HealthStatus.Progressing, false, $"{kind} \"{name}\" is not ready: {Text(ready, "message")}"),
        };
    }

    /// <summary>The label that marks Pods of the newest revision: the newest ReplicaSet's pod-template-hash, or the update revision.</summary>
    private static KeyValuePair<string, string>? NewRevisionSelector(JsonNode workload, List<JsonNode> items)
    {
        if (Kind(workload) == "StatefulSet" || Kind(workload) == "DaemonSet")
        {
            return Text(workload["status"], "updateRevision") is { } updateRevision ? new("controller-revision-hash", updateRevision) : null;
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

    private static HealthReport Progressing(JsonNode o, string message) => new(Kind(o) ?? "", Name(o), HealthStatus.Progressing, false, message);

    private static string? Kind(JsonNode o) => Text(o, "kind");

    private static string Name(JsonNode o) => Text(o["metadata"], "name") ?? "";

    private static Dictionary<string, string> Labels(JsonNode o) =>
        o["metadata"]?["labels"]?.AsObject().ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "") ?? [];

    private static JsonNode? Condition(JsonNode o, string type) =>
        o["status"]?["conditions"]?.AsArray().FirstOrDefault(c => Text(c, "type") == type);

    private static string? Text(JsonNode? o, string name) =>
        o is JsonObject obj && obj[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long Long(JsonNode o, params string[] path)
    {
        JsonNode? node = o;
        foreach (var step in path)
        {
            node = node?[step];
        }
        return node is not JsonValue value ? 0
            : value.TryGetValue<long>(out var number) ? number
            : value.TryGetValue<int>(out var small) ? small
            : value.TryGetValue<double>(out var real) ? (long)real
            : 0;
    }
}
