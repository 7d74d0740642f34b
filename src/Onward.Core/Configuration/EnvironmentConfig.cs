namespace Onward.Core.Configuration;

public sealed record EnvironmentConfig(string Name, TargetConfig Target, EnvironmentPolicy Policy)
{
    public EnvironmentFlagsConfig Flags { get; init; } = EnvironmentFlagsConfig.Default;

    /// <summary>Where its name was written in onward.yaml.</summary>
    public ConfigPosition At { get; init; }

    /// <summary>Set for the environment of a pull request's preview (not written in onward.yaml): the one service it holds.</summary>
    public PreviewOf? Preview { get; init; }
}

/// <summary>The pull request an environment previews.</summary>
public sealed record PreviewOf(string Service, long Number);
