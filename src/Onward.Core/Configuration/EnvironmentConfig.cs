namespace Onward.Core.Configuration;

public sealed record EnvironmentConfig(string Name, TargetConfig Target, EnvironmentPolicy Policy)
{
    public EnvironmentFlagsConfig Flags { get; init; } = EnvironmentFlagsConfig.Default;

    /// <summary>Where its name was written in onward.yaml.</summary>
    public ConfigPosition At { get; init; }
}
