namespace Onward.Contracts.Deployments;

/// <summary>The groups of states the server, the CLI and the storage all go by, defined once.</summary>
public static class DeploymentStates
{
    /// <summary>The ends: a deployment in one of these never changes state again.</summary>
    public static readonly IReadOnlyList<DeploymentState> Terminal =
        [DeploymentState.Succeeded, DeploymentState.Failed, DeploymentState.Blocked, DeploymentState.Rejected, DeploymentState.Superseded, DeploymentState.Cancelled];

    /// <summary>Waiting to be applied: a newer request for the same service and environment supersedes these (rule 7 of docs/ARCHITECTURE.md).</summary>
    public static readonly IReadOnlyList<DeploymentState> Waiting = [DeploymentState.Queued, DeploymentState.AwaitingApproval];

    /// <summary>Holding its service and environment: at most one deployment at a time (rule 8 of docs/ARCHITECTURE.md).</summary>
    public static readonly IReadOnlyList<DeploymentState> HoldingEnvironment = [DeploymentState.Applying, DeploymentState.Verifying];

    public static bool IsTerminal(this DeploymentState state) => Terminal.Contains(state);
}
