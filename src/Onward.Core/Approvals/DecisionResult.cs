namespace Onward.Core.Approvals;

public enum DecisionResult
{
    /// <summary>Recorded; the deployment still waits for more approvals.</summary>
    Recorded,

    /// <summary>Recorded, and it was the last approval needed: the deployment is queued.</summary>
    Completed,

    /// <summary>Recorded as a rejection: the deployment ended.</summary>
    Rejected,

    /// <summary>Nothing recorded: the deployment does not wait for approval (any more).</summary>
    NotAwaiting,

    /// <summary>Nothing recorded: this person already decided on it.</summary>
    AlreadyDecided,
}
