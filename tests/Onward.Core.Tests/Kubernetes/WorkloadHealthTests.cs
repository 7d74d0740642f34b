using System.Text.Json.Nodes;
using Onward.Core.Kubernetes;

namespace Onward.Core.Tests.Kubernetes;

/// <summary>
/// The cases of kubectl's rollout_status_test.go (TestDeploymentStatusViewerStatus, TestDaemonSetStatusViewerStatus,
/// TestStatefulSetStatusViewerStatus) with kubectl's own messages, and pod health in the manner of gitops-engine's
/// pod tests.
/// </summary>
public class WorkloadHealthTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static JsonNode Deployment(long generation, long? specReplicas, long observed, long replicas, long updated, long available, string? progressingReason = null)
    {
        var d = JsonNode.Parse($$"""
            { "apiVersion":"apps/v1","kind":"Deployment","metadata":{ "name":"foo","namespace":"bar","generation":{{generation}} },
             "spec":{  },
             "status":{ "observedGeneration":{{observed}},"replicas":{{replicas}},"updatedReplicas":{{updated}},"readyReplicas":{{available}},"availableReplicas":{{available}},"unavailableReplicas":{{replicas - available}},
                       "conditions":[ { "type":"Available","status":"{{(available >= (specReplicas ?? 1) ? "True" : "False")}}" } ] } }
            """)!;
        if (specReplicas is { } r)
        {
            d["spec"]!["replicas"] = r;
        }
        if (progressingReason is not null)
        {
            d["status"]!["conditions"]!.AsArray().Add(JsonNode.Parse($$"""{"type":"Progressing","status":"False","reason":"{{progressingReason}}"}"""));
        }
        return d;
    }

    [Theory]
    [InlineData(0, 1, 1, 1, 0, 1, "Waiting for deployment \"foo\" rollout to finish: 0 out of 1 new replicas have been updated...", false)]
    [InlineData(1, 1, 1, 2, 1, 2, "Waiting for deployment \"foo\" rollout to finish: 1 old replicas are pending termination...", false)]
    [InlineData(1, 2, 1, 2, 2, 1, "Waiting for deployment \"foo\" rollout to finish: 1 of 2 updated replicas are available...", false)]
    [InlineData(1, 2, 1, 2, 2, 2, "deployment \"foo\" successfully rolled out", true)]
    [InlineData(2, 2, 1, 2, 2, 2, "Waiting for deployment spec update to be observed...", false)]
    public void Deployments_follow_kubectl_rollout_status(long generation, long specReplicas, long observed, long replicas, long updated, long available, string message, bool done)
    {
        var report = WorkloadHealth.Evaluate(Deployment(generation, specReplicas, observed, replicas, updated, available), Now);

        report.Message.ShouldBe(message);
        report.Done.ShouldBe(done);
        report.Status.ShouldBe(done ? HealthStatus.Healthy : HealthStatus.Progressing);
    }

    [Fact]
    public void A_deployment_past_its_progress_deadline_has_failed()
    {
        var report = WorkloadHealth.Evaluate(Deployment(1, 2, 1, 2, 1, 1, "ProgressDeadlineExceeded"), Now);

        (report.Kind, report.Name, report.Status, report.Done, report.Message).ShouldBe(("Deployment", "foo", HealthStatus.Failed, true, "deployment \"foo\" exceeded its progress deadline"));
        report.Views.Select(v => (v.Rules, v.State)).ShouldBe([("kubectl", "Failed"), ("kstatus", "Failed"), ("argocd", "Degraded")]);
    }

    [Fact]
    public void An_autoscaler_changing_replicas_mid_rollout_only_changes_the_numbers()
    {
        WorkloadHealth.Evaluate(Deployment(3, 5, 3, 5, 3, 3), Now).Message.ShouldBe("Waiting for deployment \"foo\" rollout to finish: 3 out of 5 new replicas have been updated...");
        WorkloadHealth.Evaluate(Deployment(3, 5, 3, 5, 5, 5), Now).Status.ShouldBe(HealthStatus.Healthy);
    }

    private static JsonNode DaemonSet(long generation, long observed, long desired, long updated, long available, string strategy = "RollingUpdate") => JsonNode.Parse($$"""
        { "apiVersion":"apps/v1","kind":"DaemonSet","metadata":{ "name":"foo","generation":{{generation}} },
         "spec":{ "updateStrategy":{ "type":"{{strategy}}" } },
         "status":{ "observedGeneration":{{observed}},"currentNumberScheduled":{{desired}},"numberMisscheduled":0,"desiredNumberScheduled":{{desired}},
                   "numberReady":{{available}},"updatedNumberScheduled":{{updated}},"numberAvailable":{{available}} } }
        """)!;

    [Theory]
    [InlineData(0, 0, 1, 0, 0, "Waiting for daemon set \"foo\" rollout to finish: 0 out of 1 new pods have been updated...", false)]
    [InlineData(1, 1, 2, 2, 1, "Waiting for daemon set \"foo\" rollout to finish: 1 of 2 updated pods are available...", false)]
    [InlineData(1, 1, 2, 2, 2, "daemon set \"foo\" successfully rolled out", true)]
    [InlineData(2, 1, 2, 2, 2, "Waiting for daemon set spec update to be observed...", false)]
    public void Daemon_sets_follow_kubectl_rollout_status(long generation, long observed, long desired, long updated, long available, string message, bool done)
    {
        var report = WorkloadHealth.Evaluate(DaemonSet(generation, observed, desired, updated, available), Now);

        report.Message.ShouldBe(message);
        report.Done.ShouldBe(done);
    }

    [Fact]
    public void An_on_delete_daemon_set_is_verified_by_its_ready_pods_where_kubectl_has_no_rollout_to_follow()
    {
        var waiting = WorkloadHealth.Evaluate(DaemonSet(2, 2, 2, 0, 1, "OnDelete"), Now);
        var ready = WorkloadHealth.Evaluate(DaemonSet(2, 2, 2, 0, 2, "OnDelete"), Now);

        waiting.Status.ShouldBe(HealthStatus.Progressing);
        waiting.Message.ShouldBe("Waiting for daemonset \"foo\" (OnDelete): 1 of 2 pods are ready...");
        ready.Status.ShouldBe(HealthStatus.Healthy, "no pod has the new template until it is deleted, and that is not a failure");
        ready.Message.ShouldBe("daemonset \"foo\" (OnDelete): 2 of 2 pods of the current revision are ready; they take a new template when deleted");
        ready.Views.Select(v => v.Rules).ShouldBe(["onward", "kstatus", "argocd"], "kubectl has no verdict on OnDelete");
    }

    private static JsonNode StatefulSet(long generation, long observed, long replicas, long ready, long updated, long current, string updateRevision, string currentRevision, long? partition = null, bool rolling = true, string strategy = "RollingUpdate")
    {
        var s = JsonNode.Parse($$"""
            { "apiVersion":"apps/v1","kind":"StatefulSet","metadata":{ "name":"foo","generation":{{generation}} },
             "spec":{ "replicas":{{replicas}},"updateStrategy":{ "type":"{{strategy}}" } },
             "status":{ "observedGeneration":{{observed}},"replicas":{{replicas}},"readyReplicas":{{ready}},"updatedReplicas":{{updated}},"currentReplicas":{{current}},
                       "updateRevision":"{{updateRevision}}","currentRevision":"{{currentRevision}}" } }
            """)!;
        if (rolling)
        {
            s["spec"]!["updateStrategy"]!["rollingUpdate"] = partition is { } p ? new JsonObject { ["partition"] = p } : new JsonObject();
        }
        return s;
    }

    [Fact]
    public void Stateful_sets_follow_kubectl_rollout_status()
    {
        void Expect(JsonNode s, string message, bool done)
        {
            var report = WorkloadHealth.Evaluate(s, Now);
            report.Message.ShouldBe(message);
            report.Done.ShouldBe(done);
        }

        Expect(StatefulSet(1, 0, 3, 0, 0, 0, "foo", "bar"), "Waiting for statefulset spec update to be observed...", false);
        Expect(StatefulSet(2, 1, 3, 3, 3, 3, "foo", "foo"), "Waiting for statefulset spec update to be observed...", false);
        Expect(StatefulSet(1, 1, 3, 1, 1, 1, "foo", "bar", rolling: false), "Waiting for 2 pods to be ready...", false);
        Expect(StatefulSet(1, 1, 3, 3, 0, 3, "foo", "bar", partition: 2), "Waiting for partitioned roll out to finish: 0 out of 1 new pods have been updated...", false);
        Expect(StatefulSet(1, 1, 3, 3, 1, 3, "foo", "bar", partition: 2), "partitioned roll out complete: 1 new pods have been updated...", true);
        Expect(StatefulSet(1, 1, 3, 3, 2, 1, "foo", "bar", rolling: false), "waiting for statefulset rolling update to complete 2 pods at revision foo...", false);
        Expect(StatefulSet(1, 1, 3, 3, 3, 3, "foo", "foo", rolling: false), "statefulset rolling update complete 3 pods at revision foo...", true);
        Expect(StatefulSet(1, 1, 3, 3, 0, 3, "foo", "bar", strategy: "OnDelete"), "statefulset \"foo\" (OnDelete): 3 of 3 pods of the current revision are ready; they take a new template when deleted", true);
    }

    private static JsonNode Pod(string phase, string? waitingReason = null, string? lastTerminatedReason = null, bool ready = false, string? unschedulableSince = null, string hash = "new")
    {
        var conditions = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False" });
        if (unschedulableSince is not null)
        {
            conditions.Add(new JsonObject
            {
                ["type"] = "PodScheduled",
                ["status"] = "False",
                ["reason"] = "Unschedulable",
                ["message"] = "0/3 nodes are available: 3 Insufficient memory.",
                ["lastTransitionTime"] = unschedulableSince,
            });
        }
        var state = waitingReason is null
            ? new JsonObject { ["running"] = new JsonObject() }
            : new JsonObject { ["waiting"] = new JsonObject { ["reason"] = waitingReason, ["message"] = "it went wrong" } };
        var lastState = lastTerminatedReason is null
            ? new JsonObject()
            : new JsonObject { ["terminated"] = new JsonObject { ["reason"] = lastTerminatedReason, ["exitCode"] = 137 } };
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"foo-{hash}-x1",
                ["creationTimestamp"] = "2026-11-26T11:59:50Z",
                ["labels"] = new JsonObject { ["app"] = "foo", ["pod-template-hash"] = hash },
            },
            ["spec"] = new JsonObject { ["restartPolicy"] = "Always" },
            ["status"] = new JsonObject
            {
                ["phase"] = phase,
                ["conditions"] = conditions,
                ["containerStatuses"] = new JsonArray(new JsonObject
                {
                    ["name"] = "app",
                    ["ready"] = ready,
                    ["restartCount"] = waitingReason == "CrashLoopBackOff" ? 4 : 0,
                    ["state"] = state,
                    ["lastState"] = lastState,
                }),
            },
        };
    }

    [Theory]
    [InlineData("ImagePullBackOff")]
    [InlineData("ErrImagePull")]
    [InlineData("CrashLoopBackOff")]
    [InlineData("CreateContainerConfigError")]
    [InlineData("InvalidImageName")]
    public void A_pod_that_cannot_start_has_failed_at_once(string reason)
    {
        var report = WorkloadHealth.Evaluate(Pod("Pending", waitingReason: reason), Now);

        report.Status.ShouldBe(HealthStatus.Failed);
        report.Message.ShouldStartWith($"container \"app\" is {reason}: it went wrong");
        report.Container.ShouldBe("app", "the diagnosis reads the failing container from here, not from the message");
    }

    [Fact]
    public void Pods_by_phase_readiness_oom_and_scheduling()
    {
        WorkloadHealth.Evaluate(Pod("Pending"), Now).Status.ShouldBe(HealthStatus.Progressing);
        WorkloadHealth.Evaluate(Pod("Running"), Now).Status.ShouldBe(HealthStatus.Progressing);
        WorkloadHealth.Evaluate(Pod("Running", ready: true), Now).Status.ShouldBe(HealthStatus.Healthy);
        WorkloadHealth.Evaluate(Pod("Succeeded"), Now).Status.ShouldBe(HealthStatus.Healthy);
        WorkloadHealth.Evaluate(Pod("Failed"), Now).Status.ShouldBe(HealthStatus.Failed);
        WorkloadHealth.Evaluate(Pod("Running", lastTerminatedReason: "OOMKilled"), Now).Message.ShouldStartWith("container \"app\" was OOMKilled (exit code 137");
        WorkloadHealth.Evaluate(Pod("Pending", unschedulableSince: "2026-11-26T11:59:50Z"), Now).Status.ShouldBe(HealthStatus.Progressing, "within the grace an autoscaler may add a node");
        var unschedulable = WorkloadHealth.Evaluate(Pod("Pending", unschedulableSince: "2026-11-26T11:58:00Z"), Now);
        unschedulable.Status.ShouldBe(HealthStatus.Failed);
        unschedulable.Message.ShouldContain("Insufficient memory");
    }

    [Fact]
    public void A_list_of_a_deployment_and_its_pods_fails_fast_on_a_pod_of_the_new_revision_only()
    {
        var deployment = Deployment(2, 2, 2, 3, 1, 2);
        deployment["metadata"]!["annotations"] = new JsonObject { ["deployment.kubernetes.io/revision"] = "2" };
        JsonNode ReplicaSet(string revision, string hash) => JsonNode.Parse($$"""
            { "apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{ "name":"foo-{{hash}}","labels":{ "pod-template-hash":"{{hash}}" },"annotations":{ "deployment.kubernetes.io/revision":"{{revision}}" } } }
            """)!;
        JsonNode List(params JsonNode[] items) => new JsonObject { ["kind"] = "List", ["items"] = new JsonArray(items.Select(i => i.DeepClone()).ToArray()) };

        var oldPodBroken = WorkloadHealth.Evaluate(List(deployment, ReplicaSet("1", "old"), ReplicaSet("2", "new"), Pod("Running", "CrashLoopBackOff", hash: "old"), Pod("Pending", hash: "new")), Now);
        var newPodBroken = WorkloadHealth.Evaluate(List(deployment, ReplicaSet("1", "old"), ReplicaSet("2", "new"), Pod("Running", ready: true, hash: "old"), Pod("Pending", "ImagePullBackOff", hash: "new")), Now);

        oldPodBroken.Status.ShouldBe(HealthStatus.Progressing);
        var unobserved = Deployment(3, 2, 2, 3, 1, 2);
        unobserved["metadata"]!["annotations"] = new JsonObject { ["deployment.kubernetes.io/revision"] = "2" };
        WorkloadHealth.Evaluate(List(unobserved, ReplicaSet("1", "old"), ReplicaSet("2", "new"), Pod("Pending", "ImagePullBackOff", hash: "new")), Now)
            .Status.ShouldBe(HealthStatus.Progressing, "until the controller observed generation 3, the pods of revision 2 are not this rollout's");
        newPodBroken.Status.ShouldBe(HealthStatus.Failed);
        newPodBroken.Kind.ShouldBe("Deployment");
        newPodBroken.Message.ShouldBe("container \"app\" is ImagePullBackOff: it went wrong (restarts: 0) (pod foo-new-x1 of the new revision)");
    }

    [Fact]
    public void Other_kinds_follow_the_kstatus_convention()
    {
        var resource = JsonNode.Parse("""{"apiVersion":"cert-manager.io/v1","kind":"Certificate","metadata":{"name":"tls","generation":2},"status":{"observedGeneration":2,"conditions":[{"type":"Ready","status":"True"}]}}""")!;
        WorkloadHealth.Evaluate(resource, Now).Status.ShouldBe(HealthStatus.Healthy);
        resource["status"]!["observedGeneration"] = 1;
        WorkloadHealth.Evaluate(resource, Now).Status.ShouldBe(HealthStatus.Progressing);
        var job = JsonNode.Parse("""{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"migrate"},"status":{"conditions":[{"type":"Failed","status":"True","reason":"BackoffLimitExceeded","message":"Job has reached the specified backoff limit"}]}}""")!;
        WorkloadHealth.Evaluate(job, Now).Message.ShouldBe("job \"migrate\" failed: BackoffLimitExceeded: Job has reached the specified backoff limit");
    }
}
