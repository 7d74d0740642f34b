using System.Text.Json.Nodes;
using Onward.Core.Kubernetes;

namespace Onward.Core.Tests.Kubernetes;

/// <summary>
/// Issue 12.5: an object is verified only when kubectl, kstatus and Argo CD all agree it is done, and it fails as soon
/// as one of them says it failed. These are the cases where the three disagree, and what Onward makes of them.
/// </summary>
public class StrictestVerdictTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static HealthReport Judge(string json) => WorkloadHealth.Evaluate(JsonNode.Parse(json.Replace('\'', '"'))!, Now);

    [Fact]
    public void A_deployment_whose_available_condition_is_false_is_still_progressing_though_kubectl_is_done()
    {
        var report = Judge("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','generation':1},'spec':{'replicas':2},'status':{'observedGeneration':1,'replicas':2,'updatedReplicas':2,'readyReplicas':2,'availableReplicas':2,'conditions':[{'type':'Progressing','status':'True','reason':'NewReplicaSetAvailable'},{'type':'Available','status':'False','reason':'MinimumReplicasUnavailable'}]}}");

        report.Status.ShouldBe(HealthStatus.Progressing);
        report.Message.ShouldBe("Deployment not Available (kstatus: InProgress)");
        report.Views.Single(v => v.Rules == "kubectl").Status.ShouldBe(HealthStatus.Healthy);
        report.Views.Single(v => v.Rules == "argocd").Status.ShouldBe(HealthStatus.Healthy);
    }

    [Fact]
    public void A_deployment_with_fewer_ready_replicas_than_desired_is_still_progressing()
    {
        var report = Judge("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','generation':1},'spec':{'replicas':3},'status':{'observedGeneration':1,'replicas':3,'updatedReplicas':3,'readyReplicas':2,'availableReplicas':3,'conditions':[{'type':'Progressing','status':'True','reason':'NewReplicaSetAvailable'},{'type':'Available','status':'True'}]}}");

        report.Status.ShouldBe(HealthStatus.Progressing);
        report.Message.ShouldBe("Ready: 2/3 (kstatus: InProgress)");
    }

    [Fact]
    public void A_stateful_set_is_done_only_when_current_ready_and_updated_replicas_all_reach_the_spec()
    {
        const string set = "{'apiVersion':'apps/v1','kind':'StatefulSet','metadata':{'name':'db','generation':1},'spec':{'replicas':3,'updateStrategy':{'type':'RollingUpdate','rollingUpdate':{'partition':0}}},'status':{'observedGeneration':1,'replicas':3,'readyReplicas':READY,'updatedReplicas':UPDATED,'currentReplicas':CURRENT,'currentRevision':'db-1','updateRevision':'db-2'}}";
        string With(int ready, int updated, int current) => set.Replace("READY", ready.ToString(), StringComparison.Ordinal)
            .Replace("UPDATED", updated.ToString(), StringComparison.Ordinal).Replace("CURRENT", current.ToString(), StringComparison.Ordinal);

        Judge(With(2, 3, 3)).Message.ShouldBe("Waiting for 1 pods to be ready...");
        Judge(With(3, 2, 3)).Message.ShouldBe("Waiting for partitioned roll out to finish: 2 out of 3 new pods have been updated...");
        Judge(With(3, 3, 3)).Status.ShouldBe(HealthStatus.Healthy, "a partition counts: kstatus leaves the revisions alone then");
        var rolling = JsonNode.Parse(With(3, 3, 2).Replace('\'', '"'))!;
        rolling["spec"]!["updateStrategy"] = new JsonObject { ["type"] = "RollingUpdate" };
        var notCurrent = WorkloadHealth.Evaluate(rolling, Now);
        notCurrent.Status.ShouldBe(HealthStatus.Progressing);
        notCurrent.Message.ShouldBe("waiting for statefulset rolling update to complete 3 pods at revision db-2...");
        rolling["status"]!["currentRevision"] = "db-2";
        WorkloadHealth.Evaluate(rolling, Now).Message.ShouldBe("current: 2/3 (kstatus: InProgress)", "kubectl and Argo CD are done; kstatus still counts the current replicas");
    }

    [Fact]
    public void Pods_are_judged_with_their_restart_policy_and_last_termination()
    {
        const string pod = "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'worker','creationTimestamp':'2026-11-29T11:59:00Z'},'spec':{'restartPolicy':'POLICY'},'status':{'phase':'Running','conditions':[{'type':'Ready','status':'False'}],'containerStatuses':[{'name':'main','ready':false,'restartCount':1,'state':{'running':{}},'lastState':{'terminated':{'exitCode':1,'reason':'Error'}}}]}}";

        var restarted = Judge(pod.Replace("POLICY", "Always", StringComparison.Ordinal));
        var finite = Judge(pod.Replace("POLICY", "Never", StringComparison.Ordinal));
        var failed = Judge("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'task'},'spec':{'restartPolicy':'Never'},'status':{'phase':'Failed','containerStatuses':[{'name':'main','state':{'terminated':{'exitCode':3,'reason':'Error'}}}]}}");

        restarted.Status.ShouldBe(HealthStatus.Failed, "Argo CD: a restarted container that is not ready again is Degraded");
        restarted.Message.ShouldBe("Pod \"worker\" is Degraded (Argo CD: Degraded)");
        finite.Status.ShouldBe(HealthStatus.Progressing, "a Pod that runs to completion is still running");
        failed.Status.ShouldBe(HealthStatus.Failed, "kstatus calls a failed Pod Current (completed); Argo CD and Onward do not");
        failed.Message.ShouldBe("pod \"task\" failed: container \"main\" failed with exit code 3");
        failed.Views.Single(v => v.Rules == "kstatus").State.ShouldBe("Current");
    }

    [Fact]
    public void A_running_job_is_current_for_kstatus_but_not_done_until_it_completes()
    {
        var running = Judge("{'apiVersion':'batch/v1','kind':'Job','metadata':{'name':'migrate','generation':1},'status':{'startTime':'2026-11-29T11:59:00Z','active':1}}");
        var complete = Judge("{'apiVersion':'batch/v1','kind':'Job','metadata':{'name':'migrate','generation':1},'status':{'startTime':'2026-11-29T11:59:00Z','succeeded':1,'conditions':[{'type':'Complete','status':'True'}]}}");

        running.Status.ShouldBe(HealthStatus.Progressing);
        running.Views.Single(v => v.Rules == "kstatus").State.ShouldBe("Current");
        complete.Status.ShouldBe(HealthStatus.Healthy);
        complete.Message.ShouldBe("job \"migrate\" completed");
    }

    [Fact]
    public void Custom_resources_follow_kstatus_generic_rules()
    {
        const string widget = "{'apiVersion':'example.com/v1','kind':'Widget','metadata':{'name':'w1','generation':2},'status':{'observedGeneration':OBSERVED,'conditions':CONDITIONS}}";
        HealthReport With(int observed, string conditions) =>
            Judge(widget.Replace("OBSERVED", observed.ToString(), StringComparison.Ordinal).Replace("CONDITIONS", conditions, StringComparison.Ordinal));

        With(1, "[{'type':'Ready','status':'True'}]").Message.ShouldBe("Widget generation is 2, but latest observed generation is 1 (kstatus: InProgress)");
        With(2, "[{'type':'Ready','status':'True'}]").Status.ShouldBe(HealthStatus.Healthy);
        With(2, "[{'type':'Ready','status':'False','message':'waiting for the bucket'}]").Message.ShouldBe("waiting for the bucket (kstatus: InProgress)");
        With(2, "[{'type':'Reconciling','status':'True','reason':'Working','message':'creating'}]").Status.ShouldBe(HealthStatus.Progressing);
        var stalled = With(2, "[{'type':'Stalled','status':'True','reason':'Broken','message':'the bucket name is taken'}]");
        stalled.Status.ShouldBe(HealthStatus.Failed);
        stalled.Message.ShouldBe("the bucket name is taken (kstatus: Failed)");
        stalled.Views.Select(v => v.Rules).ShouldBe(["kstatus"], "Argo CD has no health for a kind it does not know, and kubectl no rollout");
    }
}
