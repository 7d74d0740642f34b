using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Releases;

namespace Onward.Core.Targets;

/// <summary>Everything a target needs to apply, verify, promote or restore one deployment.</summary>
/// <param name="Previous">The environment's current deployment when this one started, and its release.</param>
public sealed record TargetContext(
    ServiceConfig Service,
    EnvironmentConfig Environment,
    Deployment Deployment,
    Release Release,
    (Deployment Deployment, Release Release)? Previous)
{
    /// <summary>The canary the release goes out as: it replaces a running release where a canary is configured; null otherwise.</summary>
    public CanaryConfig? Canary { get; init; }
}
