namespace Onward.Core.Configuration;

/// <summary>How a release runs as a process on the <c>local</c> target.</summary>
public sealed record LocalDeployConfig(string Command, string HealthUrl);
