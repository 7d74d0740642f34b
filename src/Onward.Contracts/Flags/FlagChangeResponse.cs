namespace Onward.Contracts.Flags;

/// <summary>One change of a flag: who, when, why, what made it (release, environment, switch, switch removed) and the fields that changed.</summary>
public sealed record FlagChangeResponse(
    long Id, string Key, string Actor, DateTimeOffset At, string? Comment, string Source, long? DeploymentId, IReadOnlyList<FlagFieldChangeResponse> Changes);
