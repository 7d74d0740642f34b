namespace Onward.Contracts.Environments;

public sealed record EnvironmentResponse(string Name, TargetResponse Target, PolicyResponse Policy);
