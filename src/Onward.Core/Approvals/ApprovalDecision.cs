namespace Onward.Core.Approvals;

public enum ApprovalDecision
{
    Approved,
    Rejected,
}
