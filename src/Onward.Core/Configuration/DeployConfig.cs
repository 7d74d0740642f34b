namespace Onward.Core.Configuration;

public sealed record DeployConfig(string? Manifests, LocalDeployConfig? Local);
