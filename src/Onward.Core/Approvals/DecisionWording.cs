namespace Onward.Core.Approvals;

/// <summary>How a decision reads, given how many approvals a deployment has with it: in its event, and in its <c>waiting</c>.</summary>
public sealed record DecisionWording(Func<int, string> Event, Func<int, string> StillWaiting);
