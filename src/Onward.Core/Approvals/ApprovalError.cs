namespace Onward.Core.Approvals;

public enum ApprovalError
{
    None,
    NotFound,
    Forbidden,
    Conflict,
}
