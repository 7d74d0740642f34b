namespace Onward.Core.Freezes;

/// <summary>An ad-hoc freeze an admin put on an environment.</summary>
public sealed record EnvironmentFreeze(
    long Id,
    string Environment,
    DateTimeOffset Until,
    string Reason,
    string SetBy,
    DateTimeOffset SetAt,
    DateTimeOffset? LiftedAt,
    string? LiftedBy);
