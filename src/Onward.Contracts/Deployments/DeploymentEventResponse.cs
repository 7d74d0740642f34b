namespace Onward.Contracts.Deployments;

public sealed record DeploymentEventResponse(DateTimeOffset At, string State, string Actor, string Message);
