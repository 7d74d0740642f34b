using Onward.Contracts.Flags;
using Onward.Core.Approvals;

namespace Onward.Core.Flags;

/// <summary>Flag changes waiting for approval, and the decisions on them.</summary>
public interface IFlagRequestStore
{
    Task<FlagChangeRequest> AddAsync(FlagChangeRequest request, CancellationToken cancellationToken);

    Task<FlagChangeRequest?> GetAsync(long id, CancellationToken cancellationToken);

    Task<IReadOnlyList<FlagChangeRequest>> ListAsync(string environment, bool pendingOnly, CancellationToken cancellationToken);

    /// <summary>Records a decision on a pending request; false when the request was no longer pending or the person had decided already.</summary>
    Task<bool> DecideAsync(long id, string by, ApprovalDecision decision, string? comment, DateTimeOffset at, CancellationToken cancellationToken);

    Task<IReadOnlyList<(string By, ApprovalDecision Decision, string? Comment, DateTimeOffset At)>> DecisionsAsync(long id, CancellationToken cancellationToken);

    Task EndAsync(long id, FlagRequestState state, string outcome, CancellationToken cancellationToken);
}
