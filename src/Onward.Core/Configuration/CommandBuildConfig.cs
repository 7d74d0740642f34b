namespace Onward.Core.Configuration;

/// <summary>A shell command run in a clean work tree of the release's commit; <c>{artifact}</c> is where it puts its output.</summary>
public sealed record CommandBuildConfig(string Run);
