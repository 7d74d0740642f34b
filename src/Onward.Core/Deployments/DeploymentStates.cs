namespace Onward.Core.Deployments;

public static class DeploymentStates
{
    public static bool IsTerminal(this DeploymentState state) =>
        state is DeploymentState.Succeeded or DeploymentState.Failed or DeploymentState.Blocked
            or DeploymentState.Rejected or DeploymentState.Superseded or DeploymentState.Cancelled;

    /// <summary>States in which a deployment holds its service and environment: at most one at a time (DESIGN rule 8).</summary>
    public static bool HoldsEnvironment(this DeploymentState state) =>
        state is DeploymentState.Applying or DeploymentState.Verifying;
}
