namespace Onward.Core.Flags;

/// <summary>
/// One source of an environment's flags, as stored: the environment's own set (<see cref="Service"/> null, replaced
/// with <c>PUT …/flags</c>) or the set a service's release shipped (the flags file at the commit of the release last
/// verified there).
/// </summary>
public sealed record StoredFlagSet(
    string Environment, string? Service, string Document, long? DeploymentId, string? Version, string Actor, DateTimeOffset UpdatedAt);
