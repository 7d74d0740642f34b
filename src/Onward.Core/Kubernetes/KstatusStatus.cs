using System.Globalization;
using System.Text.Json.Nodes;
using static Onward.Core.Kubernetes.ObjectFields;

namespace Onward.Core.Kubernetes;

/// <summary>
/// kstatus (sigs.k8s.io/cli-utils/pkg/kstatus/status, <c>Compute</c>): generic checks first (a deletionTimestamp is
/// Terminating; a generation not yet observed, or a <c>Reconciling</c> or <c>Stalled</c> condition that is True,
/// decides), then the rules of the built-in kinds it knows (by group and kind), then a <c>Ready</c> condition, else
/// Current. States: Current, InProgress, Failed, Terminating; an object kstatus cannot read is Unknown.
/// </summary>
public static class KstatusStatus
{
    public const string Rules = "kstatus";

    /// <summary>How long a Pod may be unschedulable before kstatus calls it Failed (its ScheduleWindow).</summary>
    public static readonly TimeSpan ScheduleWindow = TimeSpan.FromSeconds(15);

    public static HealthView Evaluate(JsonNode o, DateTimeOffset now)
    {
        if (Text(o["metadata"], "deletionTimestamp") is { Length: > 0 })
        {
            return new HealthView(Rules, HealthStatus.Progressing, "Terminating", "", "Resource scheduled for deletion");
        }
        if (Has(o, "metadata", "generation") && Has(o, "status", "observedGeneration")
            && Long(o, "metadata", "generation") != Long(o, "status", "observedGeneration"))
        {
            return InProgress("LatestGenerationNotObserved",
                $"{Kind(o)} generation is {Long(o, "metadata", "generation")}, but latest observed generation is {Long(o, "status", "observedGeneration")}");
        }
        foreach (var condition in Conditions(o))
        {
            if (Text(condition, "type") == "Reconciling" && IsTrue(condition))
            {
                return InProgress(Text(condition, "reason") ?? "", Text(condition, "message") ?? "");
            }
            if (Text(condition, "type") == "Stalled" && IsTrue(condition))
            {
                return Failed(Text(condition, "reason") ?? "", Text(condition, "message") ?? "");
            }
        }
        var key = Group(o).Length == 0 ? Kind(o) : $"{Group(o)}/{Kind(o)}";
        return key switch
        {
            "Service" => Service(o),
            "Pod" => Pod(o, now),
            "Secret" or "ConfigMap" or "batch/CronJob" => Current("Resource is always ready"),
            "PersistentVolumeClaim" => Text(o["status"], "phase") is "Bound" ? Current("PVC is Bound") : InProgress("NotBound", $"PVC is not Bound. phase: {Text(o["status"], "phase") ?? "unknown"}"),
            "apps/StatefulSet" => StatefulSet(o),
            "apps/DaemonSet" or "extensions/DaemonSet" => DaemonSet(o),
            "apps/Deployment" or "extensions/Deployment" => Deployment(o),
            "apps/ReplicaSet" or "extensions/ReplicaSet" => ReplicaSet(o),
            "policy/PodDisruptionBudget" => Current("AllowedDisruptions has been computed."),
            "batch/Job" => Job(o),
            "apiextensions.k8s.io/CustomResourceDefinition" => Definition(o),
            _ => ReadyCondition(o),
        };
    }

    private static HealthView ReadyCondition(JsonNode o)
    {
        foreach (var ready in Conditions(o).Where(c => Text(c, "type") == "Ready"))
        {
            switch (Text(ready, "status"))
            {
                case "True":
                    return Current("Resource is Ready");
                case "False" or "Unknown":
                    return InProgress(Text(ready, "reason") ?? "", Text(ready, "message") ?? "");
            }
        }
        return Current("Resource is current");
    }

    private static HealthView StatefulSet(JsonNode s)
    {
        if (Text(s["spec"]?["updateStrategy"], "type") == "OnDelete")
        {
            return Current("StatefulSet is using the ondelete update strategy");
        }
        var spec = Long(s, 1, "spec", "replicas");
        var ready = Long(s, "status", "readyReplicas");
        var current = Long(s, "status", "currentReplicas");
        var updated = Long(s, "status", "updatedReplicas");
        var replicas = Long(s, "status", "replicas");
        var partition = Long(s, -1, "spec", "updateStrategy", "rollingUpdate", "partition");
        if (spec > replicas)
        {
            return InProgress("LessReplicas", $"Replicas: {replicas}/{spec}");
        }
        if (spec > ready)
        {
            return InProgress("LessReady", $"Ready: {ready}/{spec}");
        }
        if (replicas > spec)
        {
            return InProgress("ExtraPods", $"Pending termination: {replicas - spec}");
        }
        if (partition != -1)
        {
            return updated < spec - partition
                ? InProgress("PartitionRollout", $"updated: {updated}/{spec - partition}")
                : Current($"Partition rollout complete. updated: {updated}");
        }
        if (spec > current)
        {
            return InProgress("LessCurrent", $"current: {current}/{spec}");
        }
        if ((Text(s["status"], "currentRevision") ?? "") != (Text(s["status"], "updateRevision") ?? ""))
        {
            return InProgress("RevisionMismatch", "Waiting for updated revision to match current");
        }
        return Current($"All replicas scheduled as expected. Replicas: {replicas}");
    }

    private static HealthView DaemonSet(JsonNode d)
    {
        if (!Has(d, "metadata", "generation"))
        {
            return InProgress("NoGeneration", $"{Kind(d)} metadata.generation not found");
        }
        if (!Has(d, "status", "observedGeneration"))
        {
            return InProgress("NoObservedGeneration", $"{Kind(d)} status.observedGeneration not found");
        }
        var desired = Long(d, -1, "status", "desiredNumberScheduled");
        var current = Long(d, "status", "currentNumberScheduled");
        var updated = Long(d, "status", "updatedNumberScheduled");
        var available = Long(d, "status", "numberAvailable");
        var ready = Long(d, "status", "numberReady");
        if (desired == -1)
        {
            return InProgress("NoDesiredNumber", "Missing .status.desiredNumberScheduled");
        }
        if (desired > current)
        {
            return InProgress("LessCurrent", $"Current: {current}/{desired}");
        }
        if (desired > updated)
        {
            return InProgress("LessUpdated", $"Updated: {updated}/{desired}");
        }
        if (desired > available)
        {
            return InProgress("LessAvailable", $"Available: {available}/{desired}");
        }
        if (desired > ready)
        {
            return InProgress("LessReady", $"Ready: {ready}/{desired}");
        }
        return Current($"All replicas scheduled as expected. Replicas: {desired}");
    }

    private static HealthView Deployment(JsonNode d)
    {
        var deadline = d["spec"]?["progressDeadlineSeconds"];
        var progressing = deadline is null || Long(d, -1, "spec", "progressDeadlineSeconds") is int.MaxValue or -1;
        var available = false;
        foreach (var condition in Conditions(d))
        {
            if (Text(condition, "type") == "Progressing")
            {
                if (Text(condition, "reason") == "ProgressDeadlineExceeded")
                {
                    return new HealthView(Rules, HealthStatus.Failed, "Failed", "ProgressDeadlineExceeded", "Progress deadline exceeded");
                }
                if (IsTrue(condition) && Text(condition, "reason") == "NewReplicaSetAvailable")
                {
                    progressing = true;
                }
            }
            if (Text(condition, "type") == "Available" && IsTrue(condition))
            {
                available = true;
            }
        }
        var spec = Long(d, 1, "spec", "replicas");
        var replicas = Long(d, "status", "replicas");
        var updated = Long(d, "status", "updatedReplicas");
        var ready = Long(d, "status", "readyReplicas");
        var availableReplicas = Long(d, "status", "availableReplicas");
        if (spec > replicas)
        {
            return InProgress("LessReplicas", $"Replicas: {replicas}/{spec}");
        }
        if (spec > updated)
        {
            return InProgress("LessUpdated", $"Updated: {updated}/{spec}");
        }
        if (replicas > spec)
        {
            return InProgress("ExtraPods", $"Pending termination: {replicas - spec}");
        }
        if (updated > availableReplicas)
        {
            return InProgress("LessAvailable", $"Available: {availableReplicas}/{updated}");
        }
        if (spec > ready)
        {
            return InProgress("LessReady", $"Ready: {ready}/{spec}");
        }
        if (!progressing)
        {
            return InProgress("ReplicaSetNotAvailable", "ReplicaSet not Available");
        }
        if (!available)
        {
            return InProgress("DeploymentNotAvailable", "Deployment not Available");
        }
        return Current($"Deployment is available. Replicas: {replicas}");
    }

    private static HealthView ReplicaSet(JsonNode r)
    {
        if (Conditions(r).Any(c => Text(c, "type") == "ReplicaFailure" && IsTrue(c)))
        {
            return InProgress("ReplicaFailure", "Replica Failure condition. Check Pods");
        }
        var spec = Long(r, 1, "spec", "replicas");
        var replicas = Long(r, "status", "replicas");
        var ready = Long(r, "status", "readyReplicas");
        var available = Long(r, "status", "availableReplicas");
        var labelled = Long(r, "status", "fullyLabeledReplicas");
        if (spec > labelled)
        {
            return InProgress("LessLabelled", $"Labelled: {labelled}/{spec}");
        }
        if (spec > available)
        {
            return InProgress("LessAvailable", $"Available: {available}/{spec}");
        }
        if (spec > ready)
        {
            return InProgress("LessReady", $"Ready: {ready}/{spec}");
        }
        if (replicas > spec)
        {
            return InProgress("ExtraPods", $"Pending termination: {replicas - spec}");
        }
        return Current($"ReplicaSet is available. Replicas: {replicas}");
    }

    private static HealthView Pod(JsonNode p, DateTimeOffset now)
    {
        switch (Text(p["status"], "phase") ?? "")
        {
            case "Succeeded":
                return Current("Pod has completed successfully");
            case "Failed":
                return Current("Pod has completed, but not successfully");
            case "Running":
                if (IsTrue(Condition(p, "Ready")))
                {
                    return Current("Pod is Ready");
                }
                var crashing = (p["status"]?["containerStatuses"] as JsonArray ?? [])
                    .Where(c => Text(c?["state"]?["waiting"], "reason") == "CrashLoopBackOff")
                    .Select(c => Text(c, "name") ?? "")
                    .ToList();
                return crashing.Count > 0
                    ? Failed("ContainerCrashLooping", $"Containers in CrashLoop state: {string.Join(",", crashing)}")
                    : InProgress("PodRunningNotReady", "Pod is running but is not Ready");
            case "Pending":
                var scheduled = Conditions(p).FirstOrDefault(c => Text(c, "type") == "PodScheduled" && Text(c, "status") == "False");
                if (scheduled is not null && Text(scheduled, "reason") == "Unschedulable")
                {
                    var created = DateTimeOffset.TryParse(Text(p["metadata"], "creationTimestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                        ? at
                        : DateTimeOffset.MinValue;
                    return now - ScheduleWindow < created
                        ? InProgress("PodNotScheduled", "Pod has not been scheduled")
                        : Failed("PodUnschedulable", "Pod could not be scheduled");
                }
                return InProgress("PodPending", "Pod is in the Pending phase");
            case "":
                return InProgress("PodNotObserved", "Pod phase not available");
            default:
                // kstatus fails to compute (`unknown phase`); its callers report such an object as Unknown.
                return new HealthView(Rules, HealthStatus.Progressing, "Unknown", "", $"unknown phase {Text(p["status"], "phase")}");
        }
    }

    private static HealthView Job(JsonNode j)
    {
        var parallelism = Long(j, 1, "spec", "parallelism");
        var completions = Long(j, parallelism, "spec", "completions");
        var succeeded = Long(j, "status", "succeeded");
        var active = Long(j, "status", "active");
        var failed = Long(j, "status", "failed");
        foreach (var condition in Conditions(j))
        {
            switch (Text(condition, "type"))
            {
                case "Complete" when IsTrue(condition):
                    return Current($"Job Completed. succeeded: {succeeded}/{completions}");
                case "Failed" when IsTrue(condition):
                    return Failed("JobFailed", $"Job Failed. failed: {failed}/{completions}");
                case "Suspended" when IsTrue(condition) && Flag(j, "spec", "suspend"):
                    return Current("Job is suspended");
            }
        }
        if (string.IsNullOrEmpty(Text(j["status"], "startTime")))
        {
            return InProgress("JobNotStarted", "Job not started");
        }
        return Current($"Job in progress. success:{succeeded}, active: {active}, failed: {failed}");
    }

    private static HealthView Service(JsonNode s) =>
        (Text(s["spec"], "type") ?? "ClusterIP") == "LoadBalancer" && string.IsNullOrEmpty(Text(s["spec"], "clusterIP"))
            ? InProgress("NoIPAssigned", "ClusterIP not set. Service type: LoadBalancer")
            : Current("Service is ready");

    private static HealthView Definition(JsonNode crd)
    {
        foreach (var condition in Conditions(crd))
        {
            var type = Text(condition, "type");
            var status = Text(condition, "status");
            if (type == "NamesAccepted" && status == "False")
            {
                return Failed(Text(condition, "reason") ?? "", Text(condition, "message") ?? "");
            }
            if (type == "Established" && status == "False" && Text(condition, "reason") != "Installing")
            {
                return Failed(Text(condition, "reason") ?? "", Text(condition, "message") ?? "");
            }
            if (type == "Established" && status == "True")
            {
                return Current("CRD is established");
            }
        }
        return InProgress("Installing", "Install in progress");
    }

    private static HealthView Current(string message) => new(Rules, HealthStatus.Healthy, "Current", "", message);

    private static HealthView InProgress(string reason, string message) => new(Rules, HealthStatus.Progressing, "InProgress", reason, message);

    private static HealthView Failed(string reason, string message) => new(Rules, HealthStatus.Failed, "Failed", reason, message);
}
