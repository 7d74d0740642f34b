namespace Onward.Core.Configuration;

public sealed record EnvironmentConfig(string Name, TargetConfig Target, EnvironmentPolicy Policy);
