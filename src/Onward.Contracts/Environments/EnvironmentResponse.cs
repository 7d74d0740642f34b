namespace Onward.Contracts.Environments;

/// <param name="Frozen">The freeze in force now, or null.</param>
public sealed record EnvironmentResponse(string Name, TargetResponse Target, PolicyResponse Policy, FreezeResponse? Frozen);
