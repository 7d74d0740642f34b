namespace Onward.Contracts.Deployments;

public sealed record DeploymentEventResponse(DateTimeOffset At, DeploymentState State, string Actor, string Message);
