using Onward.Contracts.Deployments;

namespace Onward.Core.Deployments;

/// <summary>One entry of a deployment's append-only log.</summary>
public sealed record DeploymentEvent(long DeploymentId, DateTimeOffset At, DeploymentState State, string Actor, string Message);
