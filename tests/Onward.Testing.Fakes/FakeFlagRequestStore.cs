using Onward.Contracts.Flags;
using Onward.Core.Approvals;
using Onward.Core.Audit;
using Onward.Core.Flags;

namespace Onward.Testing.Fakes;

/// <summary>Requests for flag changes in memory: one decision per person while pending, ended once, each in the audit trail.</summary>
public sealed class FakeFlagRequestStore(FakeDatabase database) : IFlagRequestStore
{
    private readonly List<FlagChangeRequest> _requests = [];
    private readonly List<(long Id, string By, ApprovalDecision Decision, string? Comment, DateTimeOffset At)> _decisions = [];

    public FakeFlagRequestStore()
        : this(new FakeDatabase())
    {
    }

    public Task<FlagChangeRequest> AddAsync(FlagChangeRequest request, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            var added = request with { Id = _requests.Count + 1 };
            _requests.Add(added);
            database.AddAudit(request.CreatedAt, request.RequestedBy, "flag.requested", request.Environment, AuditMessages.FlagRequested(added.Id, request));
            return Task.FromResult(added);
        }
    }

    public Task<FlagChangeRequest?> GetAsync(long id, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult(_requests.FirstOrDefault(r => r.Id == id));
        }
    }

    public Task<IReadOnlyList<FlagChangeRequest>> ListAsync(string environment, bool pendingOnly, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult<IReadOnlyList<FlagChangeRequest>>(_requests
                .Where(r => r.Environment == environment && (!pendingOnly || r.State == FlagRequestState.Pending)).OrderByDescending(r => r.Id).Take(200).ToList());
        }
    }

    public Task<bool> DecideAsync(long id, string by, ApprovalDecision decision, string? comment, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            if (_requests.FirstOrDefault(r => r.Id == id) is not { State: FlagRequestState.Pending } request || _decisions.Any(d => d.Id == id && d.By == by))
            {
                return Task.FromResult(false);
            }
            _decisions.Add((id, by, decision, comment, at));
            var (action, message) = AuditMessages.FlagDecided(id, decision, comment);
            database.AddAudit(at, by, action, request.Environment, message);
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<(string By, ApprovalDecision Decision, string? Comment, DateTimeOffset At)>> DecisionsAsync(long id, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult<IReadOnlyList<(string, ApprovalDecision, string?, DateTimeOffset)>>(
                _decisions.Where(d => d.Id == id).OrderBy(d => d.At).Select(d => (d.By, d.Decision, d.Comment, d.At)).ToList());
        }
    }

    public Task EndAsync(long id, FlagRequestState state, string outcome, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            var index = _requests.FindIndex(r => r.Id == id && r.State == FlagRequestState.Pending);
            if (index >= 0)
            {
                _requests[index] = _requests[index] with { State = state, Outcome = outcome };
            }
        }
        return Task.CompletedTask;
    }
}
