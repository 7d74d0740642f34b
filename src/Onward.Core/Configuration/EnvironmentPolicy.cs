namespace Onward.Core.Configuration;

public sealed record EnvironmentPolicy(
    AutoDeployMode AutoDeploy,
    IReadOnlyList<string> Requires,
    bool AutoPromoteReleaseCandidates,
    ApprovalPolicy? Approval,
    bool ForwardOnly,
    OnFailureMode OnFailure,
    IReadOnlyList<FreezeWindow> Freeze)
{
    /// <summary>Where each of <see cref="Requires"/> was written in onward.yaml.</summary>
    public IReadOnlyList<ConfigPosition> RequiresAt { get; init; } = [];

    /// <summary><c>flags: { approval: true }</c>: flag changes wait for the environment's approvals, as deployments do.</summary>
    public bool FlagChangesNeedApproval { get; init; }

    /// <summary><c>canary</c>: releases replacing a running one here go out as canaries, judged by their metrics.</summary>
    public CanaryConfig? Canary { get; init; }
}
