namespace Onward.Core.Configuration;

/// <summary>An image build: <see cref="File"/> (Containerfile or Dockerfile) in <see cref="Context"/>, pushed to <see cref="Image"/>.</summary>
public sealed record ImageBuildConfig(string Context, string File, string Image);
