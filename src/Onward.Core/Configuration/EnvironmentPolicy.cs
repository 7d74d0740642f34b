namespace Onward.Core.Configuration;

public sealed record EnvironmentPolicy(
    AutoDeployMode AutoDeploy,
    IReadOnlyList<string> Requires,
    bool AutoPromoteReleaseCandidates,
    ApprovalPolicy? Approval,
    bool ForwardOnly,
    OnFailureMode OnFailure,
    IReadOnlyList<FreezeWindow> Freeze);
