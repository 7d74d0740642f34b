namespace Onward.Core.Configuration;

/// <summary>How a release is built. Exactly one builder is set.</summary>
public sealed record BuildConfig(CommandBuildConfig? Command, TimeSpan Timeout);
