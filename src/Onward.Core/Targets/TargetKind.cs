namespace Onward.Core.Targets;

/// <summary>The kinds of target an environment deploys to; <c>target.local</c> or <c>target.kubernetes</c> in onward.yaml.</summary>
public enum TargetKind
{
    Local,
    Kubernetes,
}
