using System.Globalization;
using System.Text.Json.Nodes;

namespace Onward.Testing.Kubernetes;

/// <summary>
/// The Job controller (https://kubernetes.io/docs/concepts/workloads/controllers/job/): Pods up to
/// <c>parallelism</c> until <c>completions</c> succeeded, failures counted against <c>backoffLimit</c> (failed Pods,
/// and restarts when the Pods restart on failure), then a <c>Complete</c> or <c>Failed</c> condition; a suspended Job
/// runs nothing.
/// </summary>
public sealed partial class ClusterSimulator
{
    private void ReconcileJob(JsonObject job)
    {
        var ns = Text(job, "metadata", "namespace")!;
        var name = Text(job, "metadata", "name")!;
        var conditions = job["status"]?["conditions"] as JsonArray ?? [];
        if (conditions.Any(c => Text(c, "type") is "Complete" or "Failed" && Text(c, "status") == "True"))
        {
            return;
        }
        var completions = job["spec"]?["completions"] is { } c1 ? Number(c1) : 1;
        var parallelism = job["spec"]?["parallelism"] is { } p1 ? Number(p1) : 1;
        var backoffLimit = job["spec"]?["backoffLimit"] is { } b1 ? Number(b1) : 6;
        var suspended = job["spec"]?["suspend"] is JsonValue suspend && suspend.GetValue<bool>();
        var template = job["spec"]?["template"] as JsonObject ?? new JsonObject();
        var uid = Text(job, "metadata", "uid") ?? "";
        var pods = _store.List(Pods, ns, p => Text(p, "metadata", "labels", "batch.kubernetes.io/controller-uid") == uid).Items;
        var succeeded = pods.Count(p => Text(p, "status", "phase") == "Succeeded");
        var failedPods = pods.Count(p => Text(p, "status", "phase") == "Failed");
        var restarts = pods.Sum(p => (p["status"]?["containerStatuses"] as JsonArray ?? []).Sum(s => Number(s?["restartCount"])));
        var active = pods.Where(p => Text(p, "status", "phase") is not ("Succeeded" or "Failed")).ToList();
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        JsonObject? ending = null;
        if (failedPods + restarts > backoffLimit)
        {
            foreach (var pod in active)
            {
                _store.Update(Pods, ns, Text(pod, "metadata", "name")!, _ => null);
            }
            active.Clear();
            ending = new JsonObject { ["type"] = "Failed", ["status"] = "True", ["reason"] = "BackoffLimitExceeded", ["message"] = "Job has reached the specified backoff limit", ["lastTransitionTime"] = now };
        }
        else if (succeeded >= completions)
        {
            ending = new JsonObject { ["type"] = "Complete", ["status"] = "True", ["lastTransitionTime"] = now };
        }
        else if (!suspended)
        {
            for (var i = active.Count; i < Math.Min(parallelism, completions - succeeded); i++)
            {
                var podName = $"{name}-{Guid.NewGuid().ToString("N")[..5]}";
                var labels = (template["metadata"]?["labels"] as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject();
                labels["batch.kubernetes.io/controller-uid"] = uid;
                labels["batch.kubernetes.io/job-name"] = name;
                labels["controller-uid"] = uid;
                labels["job-name"] = name;
                var pod = Fresh(new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = podName,
                        ["labels"] = labels,
                        ["annotations"] = new JsonObject { ["test.onward.dev/owner"] = name, ["test.onward.dev/created"] = DateTimeOffset.UtcNow.ToString("O") },
                        ["ownerReferences"] = OwnedBy(job),
                    },
                    ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
                }, Pods, ns);
                _store.Update(Pods, ns, podName, _ => pod);
                active.Add(pod);
            }
        }
        _store.Update(Jobs, ns, name, current =>
        {
            if (current is null)
            {
                return null;
            }
            var status = new JsonObject
            {
                ["startTime"] = current["status"]?["startTime"]?.DeepClone() ?? (suspended ? null : now),
                ["active"] = active.Count,
                ["succeeded"] = succeeded,
                ["failed"] = failedPods,
                ["ready"] = active.Count(IsReady),
                ["conditions"] = new JsonArray(),
            };
            if (suspended && ending is null)
            {
                status["conditions"]!.AsArray().Add(new JsonObject { ["type"] = "Suspended", ["status"] = "True", ["reason"] = "JobSuspended", ["message"] = "Job suspended", ["lastTransitionTime"] = now });
            }
            if (ending is not null)
            {
                status["conditions"]!.AsArray().Add(ending);
                if (Text(ending, "type") == "Complete")
                {
                    status["completionTime"] = now;
                }
            }
            current["status"] = status;
            return current;
        });
    }
}
