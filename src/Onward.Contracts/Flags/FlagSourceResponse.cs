namespace Onward.Contracts.Flags;

/// <summary>Where a flag's definition comes from: <c>release</c> (a service's flags file at the release verified there) or <c>environment</c> (its own set).</summary>
public sealed record FlagSourceResponse(string Kind, string? Service, string? Version, long? DeploymentId, string Actor, DateTimeOffset At);
