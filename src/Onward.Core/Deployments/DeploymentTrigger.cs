namespace Onward.Core.Deployments;

public enum DeploymentTrigger
{
    Auto,
    Promotion,
    Manual,
}
