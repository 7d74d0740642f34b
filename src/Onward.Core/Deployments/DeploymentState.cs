namespace Onward.Core.Deployments;

public enum DeploymentState
{
    Queued,
    AwaitingApproval,
    Applying,
    Verifying,
    Succeeded,
    Failed,
    Blocked,
    Rejected,
    Superseded,
    Cancelled,
}
