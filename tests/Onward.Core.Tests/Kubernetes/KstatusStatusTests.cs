using System.Text.Json.Nodes;
using Onward.Core.Kubernetes;

namespace Onward.Core.Tests.Kubernetes;

/// <summary>
/// kstatus's own test table (kubernetes-sigs/cli-utils, pkg/kstatus/status: status_compute_test.go, core_test.go,
/// example_test.go; read at 5895ad6c) with the status and reason it asserts and the message its code gives, plus rows
/// for the rules its tests leave out. Objects are written with single quotes for brevity.
/// </summary>
public class KstatusStatusTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    // TestPodStatus
    [InlineData("podNoStatus", "{'apiVersion':'v1','kind':'Pod','metadata':{'generation':1}}", "InProgress", "PodNotObserved", "Pod phase not available")]
    [InlineData("podReady", "{'apiVersion':'v1','kind':'Pod','metadata':{'generation':1},'status':{'phase':'Running','conditions':[{'type':'Ready','status':'True'}]}}", "Current", "", "Pod is Ready")]
    [InlineData("podCompletedSuccessfully", "{'apiVersion':'v1','kind':'Pod','metadata':{'generation':1},'status':{'phase':'Succeeded','conditions':[{'type':'Ready','status':'False','reason':'PodCompleted'}]}}", "Current", "", "Pod has completed successfully")]
    [InlineData("podCompletedFailed", "{'apiVersion':'v1','kind':'Pod','metadata':{'generation':1},'status':{'phase':'Failed','conditions':[{'type':'Ready','status':'False','reason':'PodCompleted'}]}}", "Current", "", "Pod has completed, but not successfully")]
    [InlineData("podBeingScheduled", "{'apiVersion':'v1','kind':'Pod','metadata':{'generation':1,'creationTimestamp':'2026-11-29T12:00:00Z'},'status':{'phase':'Pending','conditions':[{'type':'PodScheduled','status':'False','reason':'Unschedulable'}]}}", "InProgress", "PodNotScheduled", "Pod has not been scheduled")]
    [InlineData("podUnschedulable", "{'apiVersion':'v1','kind':'Pod','metadata':{'generation':1},'status':{'phase':'Pending','conditions':[{'type':'PodScheduled','status':'False','reason':'Unschedulable'}]}}", "Failed", "PodUnschedulable", "Pod could not be scheduled")]
    [InlineData("podCrashLooping", "{'apiVersion':'v1','kind':'Pod','metadata':{'generation':1},'status':{'phase':'Running','conditions':[{'type':'PodScheduled','status':'False','reason':'Unschedulable'}],'containerStatuses':[{'name':'nginx','state':{'waiting':{'reason':'CrashLoopBackOff'}}}]}}", "Failed", "ContainerCrashLooping", "Containers in CrashLoop state: nginx")]
    // TestPVCStatus
    [InlineData("pvcNoStatus", "{'apiVersion':'v1','kind':'PersistentVolumeClaim','metadata':{'generation':1}}", "InProgress", "NotBound", "PVC is not Bound. phase: unknown")]
    [InlineData("pvcBound", "{'apiVersion':'v1','kind':'PersistentVolumeClaim','metadata':{'generation':1},'status':{'phase':'Bound'}}", "Current", "", "PVC is Bound")]
    // TestStsStatus
    [InlineData("stsNoStatus", "{'apiVersion':'apps/v1','kind':'StatefulSet','metadata':{'generation':1}}", "InProgress", "LessReplicas", "Replicas: 0/1")]
    [InlineData("stsBadStatus", "{'apiVersion':'apps/v1','kind':'StatefulSet','metadata':{'generation':1},'status':{'observedGeneration':1,'currentReplicas':1}}", "InProgress", "LessReplicas", "Replicas: 0/1")]
    [InlineData("stsOK", "{'apiVersion':'apps/v1','kind':'StatefulSet','metadata':{'generation':1},'spec':{'replicas':4},'status':{'observedGeneration':1,'currentReplicas':4,'readyReplicas':4,'replicas':4}}", "Current", "", "All replicas scheduled as expected. Replicas: 4")]
    [InlineData("stsLessReady", "{'apiVersion':'apps/v1','kind':'StatefulSet','metadata':{'generation':1},'spec':{'replicas':4},'status':{'observedGeneration':1,'currentReplicas':4,'readyReplicas':2,'replicas':4}}", "InProgress", "LessReady", "Ready: 2/4")]
    [InlineData("stsLessCurrent", "{'apiVersion':'apps/v1','kind':'StatefulSet','metadata':{'generation':1},'spec':{'replicas':4},'status':{'observedGeneration':1,'currentReplicas':2,'readyReplicas':4,'replicas':4}}", "InProgress", "LessCurrent", "current: 2/4")]
    [InlineData("stsExtraPods", "{'apiVersion':'apps/v1','kind':'StatefulSet','metadata':{'generation':1},'spec':{'replicas':4},'status':{'observedGeneration':1,'currentReplicas':4,'readyReplicas':4,'replicas':8}}", "InProgress", "ExtraPods", "Pending termination: 4")]
    // TestDaemonsetStatus
    [InlineData("dsNoStatus", "{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'generation':1}}", "InProgress", "NoObservedGeneration", "DaemonSet status.observedGeneration not found")]
    [InlineData("dsBadStatus", "{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'generation':1},'status':{'observedGeneration':1,'currentReplicas':1}}", "InProgress", "NoDesiredNumber", "Missing .status.desiredNumberScheduled")]
    [InlineData("dsOK", "{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'generation':1},'status':{'desiredNumberScheduled':4,'currentNumberScheduled':4,'updatedNumberScheduled':4,'numberAvailable':4,'numberReady':4,'observedGeneration':1}}", "Current", "", "All replicas scheduled as expected. Replicas: 4")]
    [InlineData("dsLessReady", "{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'generation':1},'status':{'observedGeneration':1,'desiredNumberScheduled':4,'currentNumberScheduled':4,'updatedNumberScheduled':4,'numberAvailable':4,'numberReady':2}}", "InProgress", "LessReady", "Ready: 2/4")]
    [InlineData("dsDifferentGeneration", "{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'generation':2},'status':{'desiredNumberScheduled':4,'currentNumberScheduled':4,'updatedNumberScheduled':4,'numberAvailable':4,'numberReady':4,'observedGeneration':1}}", "InProgress", "LatestGenerationNotObserved", "DaemonSet generation is 2, but latest observed generation is 1")]
    [InlineData("dsLessAvailable", "{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'generation':1},'status':{'observedGeneration':1,'desiredNumberScheduled':4,'currentNumberScheduled':4,'updatedNumberScheduled':4,'numberAvailable':2,'numberReady':4}}", "InProgress", "LessAvailable", "Available: 2/4")]
    // TestDeploymentStatus
    [InlineData("depNoStatus", "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'generation':1}}", "InProgress", "LessReplicas", "Replicas: 0/1")]
    [InlineData("depOK", "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'generation':1},'status':{'observedGeneration':1,'updatedReplicas':1,'readyReplicas':1,'availableReplicas':1,'replicas':1,'conditions':[{'type':'Progressing','status':'True','reason':'NewReplicaSetAvailable'},{'type':'Available','status':'True'}]}}", "Current", "", "Deployment is available. Replicas: 1")]
    [InlineData("depNotProgressing", "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'generation':1},'spec':{'progressDeadlineSeconds':45},'status':{'observedGeneration':1,'updatedReplicas':1,'readyReplicas':1,'availableReplicas':1,'replicas':1,'conditions':[{'type':'Progressing','status':'False','reason':'Some reason'},{'type':'Available','status':'True'}]}}", "InProgress", "ReplicaSetNotAvailable", "ReplicaSet not Available")]
    [InlineData("depNoProgressDeadlineSeconds", "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'generation':1},'status':{'observedGeneration':1,'updatedReplicas':1,'readyReplicas':1,'availableReplicas':1,'replicas':1,'conditions':[{'type':'Available','status':'True'}]}}", "Current", "", "Deployment is available. Replicas: 1")]
    [InlineData("depNotAvailable", "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'generation':1},'status':{'observedGeneration':1,'updatedReplicas':1,'readyReplicas':1,'availableReplicas':1,'replicas':1,'conditions':[{'type':'Progressing','status':'True','reason':'NewReplicaSetAvailable'},{'type':'Available','status':'False'}]}}", "InProgress", "DeploymentNotAvailable", "Deployment not Available")]
    // TestReplicasetStatus
    [InlineData("rsNoStatus", "{'apiVersion':'apps/v1','kind':'ReplicaSet','metadata':{'generation':1}}", "InProgress", "LessLabelled", "Labelled: 0/1")]
    [InlineData("rsOK1", "{'apiVersion':'apps/v1','kind':'ReplicaSet','metadata':{'generation':1},'spec':{'replicas':2},'status':{'observedGeneration':1,'replicas':2,'readyReplicas':2,'availableReplicas':2,'fullyLabeledReplicas':2,'conditions':[{'type':'ReplicaFailure','status':'False'}]}}", "Current", "", "ReplicaSet is available. Replicas: 2")]
    [InlineData("rsOK2", "{'apiVersion':'apps/v1','kind':'ReplicaSet','metadata':{'generation':1},'spec':{'replicas':2},'status':{'observedGeneration':1,'fullyLabeledReplicas':2,'replicas':2,'readyReplicas':2,'availableReplicas':2}}", "Current", "", "ReplicaSet is available. Replicas: 2")]
    [InlineData("rsLessAvailable", "{'apiVersion':'apps/v1','kind':'ReplicaSet','metadata':{'generation':1},'spec':{'replicas':4},'status':{'observedGeneration':1,'replicas':4,'readyReplicas':4,'availableReplicas':2,'fullyLabeledReplicas':4}}", "InProgress", "LessAvailable", "Available: 2/4")]
    [InlineData("rsLessReady", "{'apiVersion':'apps/v1','kind':'ReplicaSet','metadata':{'generation':1},'spec':{'replicas':4},'status':{'observedGeneration':1,'replicas':4,'readyReplicas':2,'availableReplicas':4,'fullyLabeledReplicas':4}}", "InProgress", "LessReady", "Ready: 2/4")]
    [InlineData("rsReplicaFailure", "{'apiVersion':'apps/v1','kind':'ReplicaSet','metadata':{'generation':1},'spec':{'replicas':4},'status':{'observedGeneration':1,'replicas':4,'readyReplicas':4,'fullyLabeledReplicas':4,'availableReplicas':4,'conditions':[{'type':'ReplicaFailure','status':'True'}]}}", "InProgress", "ReplicaFailure", "Replica Failure condition. Check Pods")]
    // TestPDBStatus
    [InlineData("pdbNotObserved", "{'apiVersion':'policy/v1beta1','kind':'PodDisruptionBudget','metadata':{'generation':2},'status':{'observedGeneration':1}}", "InProgress", "LatestGenerationNotObserved", "PodDisruptionBudget generation is 2, but latest observed generation is 1")]
    [InlineData("pdbObserved", "{'apiVersion':'policy/v1beta1','kind':'PodDisruptionBudget','metadata':{'generation':1},'status':{'observedGeneration':1}}", "Current", "", "AllowedDisruptions has been computed.")]
    // TestCRDGenericStatus
    [InlineData("crdNoStatus", "{'apiVersion':'something/v1','kind':'MyCR','metadata':{'generation':1}}", "Current", "", "Resource is current")]
    [InlineData("crdReady", "{'apiVersion':'something/v1','kind':'MyCR','metadata':{'generation':1},'status':{'conditions':[{'type':'Ready','status':'True','message':'All looks ok','reason':'AllOk'}]}}", "Current", "", "Resource is Ready")]
    [InlineData("crdNotReady", "{'apiVersion':'something/v1','kind':'MyCR','metadata':{'generation':1},'status':{'observedGeneration':1,'conditions':[{'type':'Ready','status':'False','reason':'NotReadyYet'}]}}", "InProgress", "NotReadyYet", "")]
    [InlineData("crdNoCondition", "{'apiVersion':'something/v1','kind':'MyCR','metadata':{'generation':1},'status':{'conditions':[{'type':'SomeCondition','status':'False'}]}}", "Current", "", "Resource is current")]
    [InlineData("crdMismatchStatusGeneration", "{'apiVersion':'something/v1','kind':'MyCR','metadata':{'generation':2},'status':{'observedGeneration':1}}", "InProgress", "LatestGenerationNotObserved", "MyCR generation is 2, but latest observed generation is 1")]
    // TestJobStatus
    [InlineData("jobNoStatus", "{'apiVersion':'batch/v1','kind':'Job','metadata':{'generation':1}}", "InProgress", "JobNotStarted", "Job not started")]
    [InlineData("jobComplete", "{'apiVersion':'batch/v1','kind':'Job','metadata':{'generation':1},'status':{'succeeded':1,'active':0,'conditions':[{'type':'Complete','status':'True'}]}}", "Current", "", "Job Completed. succeeded: 1/1")]
    [InlineData("jobFailed", "{'apiVersion':'batch/v1','kind':'Job','metadata':{'generation':1},'spec':{'completions':4},'status':{'succeeded':3,'failed':1,'conditions':[{'type':'Failed','status':'True','reason':'JobFailed'}]}}", "Failed", "JobFailed", "Job Failed. failed: 1/4")]
    [InlineData("jobInProgress", "{'apiVersion':'batch/v1','kind':'Job','metadata':{'generation':1},'spec':{'completions':10,'parallelism':2},'status':{'startTime':'2019-06-04T01:17:13Z','succeeded':3,'failed':1,'active':2,'conditions':[{'type':'Failed','status':'False'},{'type':'Complete','status':'False'}]}}", "Current", "", "Job in progress. success:3, active: 2, failed: 1")]
    // TestCronJobStatus
    [InlineData("cronjobNoStatus", "{'apiVersion':'batch/v1','kind':'CronJob','metadata':{'generation':1}}", "Current", "", "Resource is always ready")]
    [InlineData("cronjobWithStatus", "{'apiVersion':'batch/v1','kind':'CronJob','metadata':{'generation':1},'status':null}", "Current", "", "Resource is always ready")]
    // TestServiceStatus
    [InlineData("serviceDefault", "{'apiVersion':'v1','kind':'Service','metadata':{'generation':1}}", "Current", "", "Service is ready")]
    [InlineData("serviceNodePort", "{'apiVersion':'v1','kind':'Service','metadata':{'generation':1},'spec':{'type':'NodePort'}}", "Current", "", "Service is ready")]
    [InlineData("serviceLBnok", "{'apiVersion':'v1','kind':'Service','metadata':{'generation':1},'spec':{'type':'LoadBalancer'}}", "InProgress", "NoIPAssigned", "ClusterIP not set. Service type: LoadBalancer")]
    [InlineData("serviceLBok", "{'apiVersion':'v1','kind':'Service','metadata':{'generation':1},'spec':{'type':'LoadBalancer','clusterIP':'1.2.3.4'}}", "Current", "", "Service is ready")]
    // TestCRDStatus
    [InlineData("crdNoConditions", "{'apiVersion':'apiextensions.k8s.io/v1','kind':'CustomResourceDefinition','metadata':{'generation':1}}", "InProgress", "Installing", "Install in progress")]
    [InlineData("crdInstalling", "{'apiVersion':'apiextensions.k8s.io/v1','kind':'CustomResourceDefinition','metadata':{'generation':1},'status':{'conditions':[{'type':'NamesAccepted','status':'True','reason':'NoConflicts'},{'type':'Established','status':'False','reason':'Installing'}]}}", "InProgress", "Installing", "Install in progress")]
    [InlineData("crdNamesNotAccepted", "{'apiVersion':'apiextensions.k8s.io/v1','kind':'CustomResourceDefinition','metadata':{'generation':1},'status':{'conditions':[{'type':'NamesAccepted','status':'False','reason':'SomeReason'}]}}", "Failed", "SomeReason", "")]
    [InlineData("crdEstablished", "{'apiVersion':'apiextensions.k8s.io/v1','kind':'CustomResourceDefinition','metadata':{'generation':1},'status':{'conditions':[{'type':'NamesAccepted','status':'True','reason':'NoConflicts'},{'type':'Established','status':'True','reason':'InitialNamesAccepted'}]}}", "Current", "", "CRD is established")]
    // core_test.go: Job suspension
    [InlineData("TestSuspendedJobConditions", "{'apiVersion':'batch/v1','kind':'Job','metadata':{'generation':1},'spec':{'suspend':true},'status':{'conditions':[{'type':'Suspended','status':'True'}]}}", "Current", "", "Job is suspended")]
    [InlineData("TestPreviouslySuspendedJobConditions", "{'apiVersion':'batch/v1','kind':'Job','metadata':{'generation':1},'spec':{'suspend':false},'status':{'conditions':[{'type':'Suspended','status':'False'}]}}", "InProgress", "JobNotStarted", "Job not started")]
    [InlineData("toSuspended", "{'apiVersion':'batch/v1','kind':'Job','metadata':{'generation':1},'spec':{'suspend':true},'status':{'conditions':[{'type':'Suspended','status':'False'}]}}", "InProgress", "JobNotStarted", "Job not started")]
    [InlineData("fromSuspended", "{'apiVersion':'batch/v1','kind':'Job','metadata':{'generation':1},'spec':{'suspend':false},'status':{'conditions':[{'type':'Suspended','status':'True'}]}}", "InProgress", "JobNotStarted", "Job not started")]
    // Rules kstatus's tests leave out
    [InlineData("terminating", "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'generation':1,'deletionTimestamp':'2026-11-29T11:00:00Z'}}", "Terminating", "", "Resource scheduled for deletion")]
    [InlineData("stalledCondition", "{'apiVersion':'example.com/v1','kind':'Widget','metadata':{'generation':1},'status':{'conditions':[{'type':'Stalled','status':'True','reason':'Broken','message':'cannot reach the bucket'}]}}", "Failed", "Broken", "cannot reach the bucket")]
    [InlineData("reconcilingCondition", "{'apiVersion':'example.com/v1','kind':'Widget','metadata':{'generation':1},'status':{'conditions':[{'type':'Reconciling','status':'True','reason':'Working','message':'creating the bucket'}]}}", "InProgress", "Working", "creating the bucket")]
    [InlineData("readyUnknown", "{'apiVersion':'example.com/v1','kind':'Widget','metadata':{'generation':1},'status':{'conditions':[{'type':'Ready','status':'Unknown','reason':'Pending','message':'not yet'}]}}", "InProgress", "Pending", "not yet")]
    [InlineData("depProgressDeadline", "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'generation':1},'status':{'observedGeneration':1,'conditions':[{'type':'Progressing','status':'False','reason':'ProgressDeadlineExceeded'}]}}", "Failed", "ProgressDeadlineExceeded", "Progress deadline exceeded")]
    [InlineData("depLessUpdated", "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'generation':1},'spec':{'replicas':2},'status':{'observedGeneration':1,'replicas':2,'updatedReplicas':1}}", "InProgress", "LessUpdated", "Updated: 1/2")]
    [InlineData("depLessAvailable", "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'generation':1},'spec':{'replicas':2},'status':{'observedGeneration':1,'replicas':2,'updatedReplicas':2,'availableReplicas':1}}", "InProgress", "LessAvailable", "Available: 1/2")]
    [InlineData("stsOnDelete", "{'apiVersion':'apps/v1','kind':'StatefulSet','metadata':{'generation':1},'spec':{'replicas':3,'updateStrategy':{'type':'OnDelete'}}}", "Current", "", "StatefulSet is using the ondelete update strategy")]
    [InlineData("stsPartition", "{'apiVersion':'apps/v1','kind':'StatefulSet','metadata':{'generation':1},'spec':{'replicas':3,'updateStrategy':{'type':'RollingUpdate','rollingUpdate':{'partition':1}}},'status':{'observedGeneration':1,'replicas':3,'readyReplicas':3,'updatedReplicas':1}}", "InProgress", "PartitionRollout", "updated: 1/2")]
    [InlineData("stsRevisionMismatch", "{'apiVersion':'apps/v1','kind':'StatefulSet','metadata':{'generation':1},'spec':{'replicas':3},'status':{'observedGeneration':1,'replicas':3,'readyReplicas':3,'currentReplicas':3,'currentRevision':'a','updateRevision':'b'}}", "InProgress", "RevisionMismatch", "Waiting for updated revision to match current")]
    [InlineData("dsNoGeneration", "{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{}}", "InProgress", "NoGeneration", "DaemonSet metadata.generation not found")]
    [InlineData("podPending", "{'apiVersion':'v1','kind':'Pod','metadata':{'generation':1},'status':{'phase':'Pending'}}", "InProgress", "PodPending", "Pod is in the Pending phase")]
    [InlineData("podRunningNotReady", "{'apiVersion':'v1','kind':'Pod','metadata':{'generation':1},'status':{'phase':'Running'}}", "InProgress", "PodRunningNotReady", "Pod is running but is not Ready")]
    [InlineData("crdEstablishedFalse", "{'apiVersion':'apiextensions.k8s.io/v1','kind':'CustomResourceDefinition','metadata':{'generation':1},'status':{'conditions':[{'type':'Established','status':'False','reason':'Conflict','message':'names clash'}]}}", "Failed", "Conflict", "names clash")]
    [InlineData("secretAlwaysReady", "{'apiVersion':'v1','kind':'Secret','metadata':{'generation':1}}", "Current", "", "Resource is always ready")]
    public void Kstatus_computes_what_its_own_tests_expect(string name, string json, string state, string reason, string message)
    {
        var view = KstatusStatus.Evaluate(JsonNode.Parse(json.Replace('\'', '"'))!, Now);

        (view.State, view.Reason, view.Message).ShouldBe((state, reason, message), name);
        view.Status.ShouldBe(state switch { "Current" => HealthStatus.Healthy, "Failed" => HealthStatus.Failed, _ => HealthStatus.Progressing }, name);
    }
}
