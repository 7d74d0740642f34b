namespace Onward.Contracts.Environments;

public sealed record ApprovalPolicyResponse(int Required, IReadOnlyList<string> Approvers, bool AllowSelfApproval, bool IncludeAutoPromotions, string Expiry);
