namespace Onward.Core.Configuration;

/// <summary>
/// <c>deploy.render</c>: a shell command run in a clean checkout of the release's commit whose standard output is the
/// release's manifests, with the placeholders <c>{version}</c>, <c>{commit}</c>, <c>{service}</c>,
/// <c>{environment}</c>, <c>{namespace}</c> and <c>{image}</c> (pinned by digest).
/// </summary>
public sealed record RenderConfig(string Command, TimeSpan Timeout);
