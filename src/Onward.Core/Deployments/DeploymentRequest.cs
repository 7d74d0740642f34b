namespace Onward.Core.Deployments;

/// <summary>Someone (or Onward itself) asks for a release in an environment.</summary>
/// <param name="Version">The release's version label; or give <paramref name="Commit"/> (full SHA or a prefix of 7+).</param>
/// <param name="Override">A written reason to deploy although a policy says no (break-glass); recorded.</param>
public sealed record DeploymentRequest(
    string Service,
    string Environment,
    string? Version,
    string? Commit,
    string? Reason,
    string? Override,
    string Actor,
    DeploymentTrigger Trigger);
