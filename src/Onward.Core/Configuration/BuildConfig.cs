namespace Onward.Core.Configuration;

/// <summary>How a release is built. Exactly one builder is set.</summary>
public sealed record BuildConfig(CommandBuildConfig? Command, TimeSpan Timeout)
{
    public ImageBuildConfig? Buildah { get; init; }

    public ImageBuildConfig? Docker { get; init; }

    public ExternalBuildConfig? External { get; init; }

    /// <summary>The image repository releases are pushed to, for the image builders.</summary>
    public string? ImageRepository => Buildah?.Image ?? Docker?.Image ?? External?.Image;
}
