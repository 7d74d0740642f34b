namespace Onward.Contracts.Environments;

/// <param name="AutoDeploy"><c>main</c> or null.</param>
/// <param name="AutoPromote"><c>releaseCandidates</c> or null.</param>
/// <param name="OnFailure"><c>restore</c> or <c>halt</c>.</param>
public sealed record PolicyResponse(
    string? AutoDeploy,
    IReadOnlyList<string> Requires,
    string? AutoPromote,
    ApprovalPolicyResponse? Approval,
    bool ForwardOnly,
    string OnFailure,
    IReadOnlyList<FreezeWindowResponse> Freeze);
