using Onward.Core.Targets;

namespace Onward.Core.Configuration;

/// <summary>Exactly one of <see cref="Local"/> and <see cref="Kubernetes"/> is set.</summary>
public sealed record TargetConfig(LocalTargetConfig? Local, KubernetesTargetConfig? Kubernetes)
{
    public TargetKind Kind => Local is not null ? TargetKind.Local : TargetKind.Kubernetes;
}
