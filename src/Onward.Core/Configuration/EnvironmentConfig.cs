namespace Onward.Core.Configuration;

public sealed record EnvironmentConfig(string Name, TargetConfig Target, EnvironmentPolicy Policy)
{
    public EnvironmentFlagsConfig Flags { get; init; } = EnvironmentFlagsConfig.Default;

    /// <summary>Where its name was written in onward.yaml.</summary>
    public ConfigPosition At { get; init; }

    /// <summary>Set for the environment of a pull request's preview (not written in onward.yaml): the one service it holds.</summary>
    public PreviewOf? Preview { get; init; }

    /// <summary>
    /// The name paths in the repository are found by (<c>{environment}</c> in a manifests directory or a values
    /// file): a preview's are its <c>from</c> environment's.
    /// </summary>
    public string PathName => Preview?.From ?? Name;
}

/// <summary>The pull request an environment previews, and the environment it copies.</summary>
public sealed record PreviewOf(string Service, long Number, string From);
