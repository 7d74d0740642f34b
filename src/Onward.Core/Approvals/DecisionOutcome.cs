using Onward.Contracts.Deployments;
using Onward.Core.Deployments;

namespace Onward.Core.Approvals;

/// <param name="Count">How many approvals the deployment has now.</param>
public sealed record DecisionOutcome(DecisionResult Result, DeploymentState State, int Count);
