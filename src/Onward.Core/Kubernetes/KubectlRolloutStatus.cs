using System.Text.Json.Nodes;
using static Onward.Core.Kubernetes.ObjectFields;

namespace Onward.Core.Kubernetes;

/// <summary>
/// The rules and messages of <c>kubectl rollout status</c> (k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go)
/// for Deployments, DaemonSets and StatefulSets. kubectl has no verdict on other kinds, nor on workloads that do not
/// roll (OnDelete, where kubectl answers "rollout status is only available for RollingUpdate strategy type").
/// </summary>
public static class KubectlRolloutStatus
{
    public const string Rules = "kubectl";

    public static HealthView? Evaluate(JsonNode o) => Group(o) != "apps" ? null : Kind(o) switch
    {
        "Deployment" => Deployment(o),
        "StatefulSet" => StatefulSet(o),
        "DaemonSet" => DaemonSet(o),
        _ => null,
    };

    private static HealthView Deployment(JsonNode d)
    {
        var name = Name(d);
        if (Long(d, "metadata", "generation") > Long(d, "status", "observedGeneration"))
        {
            return Waiting("Waiting for deployment spec update to be observed...");
        }
        if (Condition(d, "Progressing") is { } progressing && Text(progressing, "reason") == "ProgressDeadlineExceeded")
        {
            return new HealthView(Rules, HealthStatus.Failed, "Failed", "ProgressDeadlineExceeded", $"deployment \"{name}\" exceeded its progress deadline");
        }
        var updated = Long(d, "status", "updatedReplicas");
        var replicas = Long(d, "status", "replicas");
        var available = Long(d, "status", "availableReplicas");
        if (Has(d, "spec", "replicas") && updated < Long(d, "spec", "replicas"))
        {
            return Waiting($"Waiting for deployment \"{name}\" rollout to finish: {updated} out of {Long(d, "spec", "replicas")} new replicas have been updated...");
        }
        if (replicas > updated)
        {
            return Waiting($"Waiting for deployment \"{name}\" rollout to finish: {replicas - updated} old replicas are pending termination...");
        }
        if (available < updated)
        {
            return Waiting($"Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...");
        }
        return Done($"deployment \"{name}\" successfully rolled out");
    }

    private static HealthView? StatefulSet(JsonNode s)
    {
        if ((Text(s["spec"]?["updateStrategy"], "type") ?? "RollingUpdate") != "RollingUpdate")
        {
            return null;
        }
        var observed = Long(s, "status", "observedGeneration");
        if (observed == 0 || Long(s, "metadata", "generation") > observed)
        {
            return Waiting("Waiting for statefulset spec update to be observed...");
        }
        var replicas = Has(s, "spec", "replicas") ? Long(s, "spec", "replicas") : (long?)null;
        var ready = Long(s, "status", "readyReplicas");
        if (replicas is { } r && ready < r)
        {
            return Waiting($"Waiting for {r - ready} pods to be ready...");
        }
        var updated = Long(s, "status", "updatedReplicas");
        if (s["spec"]?["updateStrategy"]?["rollingUpdate"] is JsonObject rolling)
        {
            if (replicas is { } total && rolling["partition"] is not null)
            {
                var partition = Long(rolling, "partition");
                if (updated < total - partition)
                {
                    return Waiting($"Waiting for partitioned roll out to finish: {updated} out of {total - partition} new pods have been updated...");
                }
            }
            return Done($"partitioned roll out complete: {updated} new pods have been updated...");
        }
        var updateRevision = Text(s["status"], "updateRevision");
        var currentRevision = Text(s["status"], "currentRevision");
        if (updateRevision != currentRevision)
        {
            return Waiting($"waiting for statefulset rolling update to complete {updated} pods at revision {updateRevision}...");
        }
        return Done($"statefulset rolling update complete {Long(s, "status", "currentReplicas")} pods at revision {currentRevision}...");
    }

    private static HealthView? DaemonSet(JsonNode d)
    {
        if ((Text(d["spec"]?["updateStrategy"], "type") ?? "RollingUpdate") != "RollingUpdate")
        {
            return null;
        }
        var name = Name(d);
        if (Long(d, "metadata", "generation") > Long(d, "status", "observedGeneration"))
        {
            return Waiting("Waiting for daemon set spec update to be observed...");
        }
        var desired = Long(d, "status", "desiredNumberScheduled");
        var updated = Long(d, "status", "updatedNumberScheduled");
        var available = Long(d, "status", "numberAvailable");
        if (updated < desired)
        {
            return Waiting($"Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {desired} new pods have been updated...");
        }
        if (available < desired)
        {
            return Waiting($"Waiting for daemon set \"{name}\" rollout to finish: {available} of {desired} updated pods are available...");
        }
        return Done($"daemon set \"{name}\" successfully rolled out");
    }

    private static HealthView Waiting(string message) => new(Rules, HealthStatus.Progressing, "InProgress", "", message);

    private static HealthView Done(string message) => new(Rules, HealthStatus.Healthy, "Done", "", message);
}
