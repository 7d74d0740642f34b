namespace Onward.Core.Configuration;

public sealed record KubernetesTargetConfig(string? Context, string Namespace);
