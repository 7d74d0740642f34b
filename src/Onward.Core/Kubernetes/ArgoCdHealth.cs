using System.Text.Json;
using System.Text.Json.Nodes;
using static Onward.Core.Kubernetes.ObjectFields;

namespace Onward.Core.Kubernetes;

/// <summary>
/// Argo CD's built-in health checks (github.com/argoproj/gitops-engine, pkg/health): an object being deleted is
/// Progressing; Deployments, StatefulSets, ReplicaSets, DaemonSets, Pods, Jobs, PVCs, Services, Ingresses, HPAs and
/// APIServices have rules of their own (by group and kind); every other kind has no health (null). States: Healthy,
/// Suspended, Progressing, Missing, Degraded, Unknown. Degraded is a failure; the others are waits.
/// </summary>
public static class ArgoCdHealth
{
    public const string Rules = "argocd";

    public static HealthView? Evaluate(JsonNode o)
    {
        if (Text(o["metadata"], "deletionTimestamp") is { Length: > 0 }
            && !(o["metadata"]?["finalizers"] as JsonArray ?? []).Any(f => Text(f) == "argocd.argoproj.io/hook-finalizer"))
        {
            return Progressing("Pending deletion");
        }
        return (Group(o), Kind(o)) switch
        {
            ("apps", "Deployment") => Deployment(o),
            ("apps", "StatefulSet") => StatefulSet(o),
            ("apps", "ReplicaSet") => ReplicaSet(o),
            ("apps", "DaemonSet") => DaemonSet(o),
            ("extensions" or "networking.k8s.io", "Ingress") => LoadBalanced(o),
            ("", "Service") => Text(o["spec"], "type") == "LoadBalancer" ? LoadBalanced(o) : Healthy(""),
            ("", "PersistentVolumeClaim") => Text(o["status"], "phase") switch
            {
                "Lost" => Degraded(""),
                "Pending" => Progressing(""),
                "Bound" => Healthy(""),
                _ => new HealthView(Rules, HealthStatus.Progressing, "Unknown", "", ""),
            },
            ("", "Pod") => Pod(o),
            ("batch", "Job") => Job(o),
            ("autoscaling", "HorizontalPodAutoscaler") => Autoscaler(o),
            ("apiregistration.k8s.io", "APIService") => ApiService(o),
            ("argoproj.io", "Workflow") => Text(o["status"], "phase") switch
            {
                null or "" or "Pending" or "Running" => Progressing(Text(o["status"], "message") ?? ""),
                "Succeeded" => Healthy(Text(o["status"], "message") ?? ""),
                "Failed" or "Error" => Degraded(Text(o["status"], "message") ?? ""),
                _ => new HealthView(Rules, HealthStatus.Progressing, "Unknown", "", Text(o["status"], "message") ?? ""),
            },
            _ => null,
        };
    }

    private static HealthView Deployment(JsonNode d)
    {
        if (Flag(d, "spec", "paused"))
        {
            return new HealthView(Rules, HealthStatus.Progressing, "Suspended", "", "Deployment is paused");
        }
        if (Long(d, "metadata", "generation") > Long(d, "status", "observedGeneration"))
        {
            return Progressing("Waiting for rollout to finish: observed deployment generation less than desired generation");
        }
        if (Text(Condition(d, "Progressing"), "reason") == "ProgressDeadlineExceeded")
        {
            return Degraded($"Deployment \"{Name(d)}\" exceeded its progress deadline");
        }
        var updated = Long(d, "status", "updatedReplicas");
        var replicas = Long(d, "status", "replicas");
        var available = Long(d, "status", "availableReplicas");
        if (Has(d, "spec", "replicas") && updated < Long(d, "spec", "replicas"))
        {
            return Progressing($"Waiting for rollout to finish: {updated} out of {Long(d, "spec", "replicas")} new replicas have been updated...");
        }
        if (replicas > updated)
        {
            return Progressing($"Waiting for rollout to finish: {replicas - updated} old replicas are pending termination...");
        }
        if (available < updated)
        {
            return Progressing($"Waiting for rollout to finish: {available} of {updated} updated replicas are available...");
        }
        return Healthy("");
    }

    private static HealthView StatefulSet(JsonNode s)
    {
        var observed = Long(s, "status", "observedGeneration");
        if (observed == 0 || Long(s, "metadata", "generation") > observed)
        {
            return Progressing("Waiting for statefulset spec update to be observed...");
        }
        var ready = Long(s, "status", "readyReplicas");
        if (Has(s, "spec", "replicas") && ready < Long(s, "spec", "replicas"))
        {
            return Progressing($"Waiting for {Long(s, "spec", "replicas") - ready} pods to be ready...");
        }
        var updated = Long(s, "status", "updatedReplicas");
        var strategy = Text(s["spec"]?["updateStrategy"], "type") ?? "";
        if (strategy == "RollingUpdate" && s["spec"]?["updateStrategy"]?["rollingUpdate"] is JsonObject rolling)
        {
            if (Has(s, "spec", "replicas") && rolling["partition"] is not null && updated < Long(s, "spec", "replicas") - Long(rolling, "partition"))
            {
                return Progressing($"Waiting for partitioned roll out to finish: {updated} out of {Long(s, "spec", "replicas") - Long(rolling, "partition")} new pods have been updated...");
            }
            return Healthy($"partitioned roll out complete: {updated} new pods have been updated...");
        }
        if (strategy == "OnDelete")
        {
            return Healthy($"statefulset has {ready} ready pods");
        }
        if (Text(s["status"], "updateRevision") != Text(s["status"], "currentRevision"))
        {
            return Progressing($"waiting for statefulset rolling update to complete {updated} pods at revision {Text(s["status"], "updateRevision")}...");
        }
        return Healthy($"statefulset rolling update complete {Long(s, "status", "currentReplicas")} pods at revision {Text(s["status"], "currentRevision")}...");
    }

    private static HealthView ReplicaSet(JsonNode r)
    {
        if (Long(r, "metadata", "generation") > Long(r, "status", "observedGeneration"))
        {
            return Progressing("Waiting for rollout to finish: observed replica set generation less than desired generation");
        }
        if (Condition(r, "ReplicaFailure") is { } failure && IsTrue(failure))
        {
            return Degraded(Text(failure, "message") ?? "");
        }
        if (Has(r, "spec", "replicas") && Long(r, "status", "availableReplicas") < Long(r, "spec", "replicas"))
        {
            return Progressing($"Waiting for rollout to finish: {Long(r, "status", "availableReplicas")} out of {Long(r, "spec", "replicas")} new replicas are available...");
        }
        return Healthy("");
    }

    private static HealthView DaemonSet(JsonNode d)
    {
        if (Long(d, "metadata", "generation") > Long(d, "status", "observedGeneration"))
        {
            return Progressing("Waiting for rollout to finish: observed daemon set generation less than desired generation");
        }
        var desired = Long(d, "status", "desiredNumberScheduled");
        var updated = Long(d, "status", "updatedNumberScheduled");
        if (Text(d["spec"]?["updateStrategy"], "type") == "OnDelete")
        {
            return Healthy($"daemon set {updated} out of {desired} new pods have been updated");
        }
        if (updated < desired)
        {
            return Progressing($"Waiting for daemon set \"{Name(d)}\" rollout to finish: {updated} out of {desired} new pods have been updated...");
        }
        if (Long(d, "status", "numberAvailable") < desired)
        {
            return Progressing($"Waiting for daemon set \"{Name(d)}\" rollout to finish: {Long(d, "status", "numberAvailable")} of {desired} updated pods are available...");
        }
        return Healthy("");
    }

    private static HealthView Pod(JsonNode p)
    {
        var restartPolicy = Text(p["spec"], "restartPolicy") ?? "";
        var message = Text(p["status"], "message") ?? "";
        var statuses = (p["status"]?["containerStatuses"] as JsonArray ?? []).Where(c => c is not null).Select(c => c!).ToList();
        if (restartPolicy == "Always")
        {
            var waiting = statuses.Select(c => c["state"]?["waiting"]).Where(w => Text(w, "reason") is { } reason
                && (reason.StartsWith("Err", StringComparison.Ordinal) || reason.EndsWith("Error", StringComparison.Ordinal) || reason.EndsWith("BackOff", StringComparison.Ordinal))).ToList();
            if (waiting.Count > 0)
            {
                return Degraded(string.Join(", ", waiting.Select(w => Text(w, "message") ?? "")));
            }
        }
        switch (Text(p["status"], "phase"))
        {
            case "Pending":
                return Progressing(message);
            case "Succeeded":
                return Healthy(message);
            case "Failed":
                if (message.Length > 0)
                {
                    return Degraded(message);
                }
                var init = (p["status"]?["initContainerStatuses"] as JsonArray ?? []).Where(c => c is not null).Select(c => c!);
                return Degraded(init.Concat(statuses).Select(FailMessage).FirstOrDefault(m => m.Length > 0) ?? "");
            case "Running" when restartPolicy == "Always":
                if (IsTrue(Condition(p, "Ready")))
                {
                    return Healthy(message);
                }
                return statuses.Any(c => c["lastState"]?["terminated"] is JsonObject) ? Degraded(message) : Progressing(message);
            case "Running" when restartPolicy is "OnFailure" or "Never":
                return Progressing(message);
            default:
                return new HealthView(Rules, HealthStatus.Progressing, "Unknown", "", message);
        }
    }

    private static string FailMessage(JsonNode container)
    {
        var terminated = container["state"]?["terminated"];
        if (terminated is null)
        {
            return "";
        }
        return Text(terminated, "message") is { Length: > 0 } text ? text
            : Text(terminated, "reason") == "OOMKilled" ? "OOMKilled"
            : Long(terminated, "exitCode") != 0 ? $"container \"{Text(container, "name")}\" failed with exit code {Long(terminated, "exitCode")}"
            : "";
    }

    private static HealthView Job(JsonNode j)
    {
        bool failed = false, complete = false, suspended = false;
        string message = "", failMessage = "";
        foreach (var condition in Conditions(j))
        {
            switch (Text(condition, "type"))
            {
                case "Failed":
                    failed = complete = true;
                    failMessage = Text(condition, "message") ?? "";
                    break;
                case "Complete":
                    complete = true;
                    message = Text(condition, "message") ?? "";
                    break;
                case "Suspended":
                    complete = true;
                    message = Text(condition, "message") ?? "";
                    suspended = IsTrue(condition);
                    break;
            }
        }
        return !complete ? Progressing(message)
            : failed ? Degraded(failMessage)
            : suspended ? new HealthView(Rules, HealthStatus.Progressing, "Suspended", "", failMessage)
            : Healthy(message);
    }

    private static HealthView LoadBalanced(JsonNode o) =>
        o["status"]?["loadBalancer"]?["ingress"] is JsonArray { Count: > 0 } ? Healthy("") : Progressing("");

    private static HealthView Autoscaler(JsonNode h)
    {
        IEnumerable<JsonNode> conditions;
        if (Text(h, "apiVersion") == "autoscaling/v1")
        {
            if (Text(h["metadata"]?["annotations"], "autoscaling.alpha.kubernetes.io/conditions") is not { } annotation)
            {
                return Progressing("Waiting to Autoscale");
            }
            try
            {
                conditions = (JsonNode.Parse(annotation) as JsonArray ?? []).Where(c => c is JsonObject).Select(c => c!).ToList();
            }
            catch (JsonException e)
            {
                return new HealthView(Rules, HealthStatus.Progressing, "Unknown", "", $"failed to convert conditions annotation to typed: {e.Message}");
            }
        }
        else
        {
            conditions = Conditions(h);
        }
        foreach (var condition in conditions)
        {
            var type = Text(condition, "type");
            var reason = Text(condition, "reason");
            if ((type, reason) is ("AbleToScale", "FailedGetScale") or ("AbleToScale", "FailedUpdateScale")
                or ("ScalingActive", "FailedGetResourceMetric") or ("ScalingActive", "InvalidSelector"))
            {
                return Degraded(Text(condition, "message") ?? "");
            }
            if (type is "AbleToScale" or "ScalingLimited" && IsTrue(condition))
            {
                return Healthy(Text(condition, "message") ?? "");
            }
        }
        return Progressing("Waiting to Autoscale");
    }

    private static HealthView ApiService(JsonNode a)
    {
        if (Condition(a, "Available") is not { } available)
        {
            return Progressing("Waiting to be processed");
        }
        var message = $"{Text(available, "reason")}: {Text(available, "message")}";
        return IsTrue(available) ? Healthy(message) : Progressing(message);
    }

    private static HealthView Healthy(string message) => new(Rules, HealthStatus.Healthy, "Healthy", "", message);

    private static HealthView Progressing(string message) => new(Rules, HealthStatus.Progressing, "Progressing", "", message);

    private static HealthView Degraded(string message) => new(Rules, HealthStatus.Failed, "Degraded", "", message);
}
