namespace Onward.Core.Configuration;

/// <summary>Another CI builds and pushes to <see cref="Image"/> and registers each image with Onward.</summary>
public sealed record ExternalBuildConfig(string Image);
