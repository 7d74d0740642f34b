namespace Onward.Core.Configuration;

public sealed record ApprovalPolicy(
    int Required,
    IReadOnlyList<string> Approvers,
    bool AllowSelfApproval,
    bool IncludeAutoPromotions);
