using Onward.Contracts.Deployments;
using Onward.Core.Deployments;

namespace Onward.Testing.Fakes;

/// <summary>
/// Deployments and their events in memory, with the same rules the SQLite store applies (supersession, one promotion
/// per release and environment, conditional transitions, one deployment holding an environment at a time).
/// </summary>
public sealed class FakeDeploymentStore(FakeReleaseStore releases) : IDeploymentStore
{
    private readonly List<Deployment> _deployments = [];
    private readonly List<DeploymentEvent> _events = [];

    /// <summary>Deployments whose job was queued, in order.</summary>
    public List<long> QueuedJobs { get; } = [];

    public IReadOnlyList<Deployment> All => _deployments;

    public IReadOnlyList<DeploymentEvent> EventsOf(long id) => _events.Where(e => e.DeploymentId == id).ToList();

    public Task<Deployment> AddAsync(NewDeployment deployment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var promoted = _deployments.FirstOrDefault(d => d.ReleaseId == deployment.ReleaseId && d.Environment == deployment.Environment && d.Trigger == DeploymentTrigger.Promotion);
        if (DeploymentAdmission.IsRepeatedPromotion(deployment, promoted?.Id))
        {
            return Task.FromResult(promoted!);
        }
        var release = releases.All.Single(r => r.Id == deployment.ReleaseId);
        var id = _deployments.Count + 1L;
        var older = DeploymentAdmission.Supersedes(deployment)
            ? _deployments.Where(d => d.Service == deployment.Service && d.Environment == deployment.Environment && DeploymentStates.Waiting.Contains(d.State)).ToList()
            : [];
        var added = new Deployment(id, deployment.Service, deployment.Environment, deployment.ReleaseId, release.Version, release.Commit, deployment.State,
            deployment.Reason, deployment.RequestedBy, deployment.Trigger, deployment.Override, now, now, null, null, null)
        {
            Waiting = deployment.Waiting,
            WaitingUntil = deployment.WaitingUntil,
        };
        _deployments.Add(added);
        _events.Add(new DeploymentEvent(id, now, deployment.State, deployment.RequestedBy, DeploymentAdmission.FirstMessage(deployment, older.Select(o => o.Id).ToList())));
        foreach (var o in older)
        {
            Apply(o.Id, DeploymentAdmission.Supersession(o.State, id, deployment), now);
        }
        if (DeploymentAdmission.Supersedes(deployment))
        {
            QueuedJobs.Add(id);
        }
        return Task.FromResult(added);
    }

    public Task<Deployment?> GetAsync(long id, CancellationToken cancellationToken) => Task.FromResult(_deployments.FirstOrDefault(d => d.Id == id));

    public Task<IReadOnlyList<Deployment>> ListAsync(DeploymentQuery query, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Deployment>>(_deployments
            .Where(d => (query.Service is null || d.Service == query.Service) && (query.Environment is null || d.Environment == query.Environment)
                && (query.State is null || d.State == query.State) && (query.ReleaseId is null || d.ReleaseId == query.ReleaseId) && (query.Before is null || d.Id < query.Before))
            .OrderByDescending(d => d.Id).Take(query.Limit).ToList());

    public Task<IReadOnlyList<DeploymentEvent>> EventsAsync(long id, CancellationToken cancellationToken) => Task.FromResult(EventsOf(id));

    public Task<bool> TransitionAsync(long id, Transition transition, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(Apply(id, transition, now));

    public Task AppendEventAsync(long id, string actor, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_deployments.FirstOrDefault(d => d.Id == id) is { } deployment)
        {
            _events.Add(new DeploymentEvent(id, now, deployment.State, actor, message));
        }
        return Task.CompletedTask;
    }

    public Task<Deployment?> CurrentAsync(string service, string environment, CancellationToken cancellationToken) =>
        Task.FromResult(Current(service, environment));

    public Task<IReadOnlyList<Deployment>> CurrentAllAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Deployment>>(_deployments.Select(d => (d.Service, d.Environment)).Distinct()
            .Select(p => Current(p.Service, p.Environment)).OfType<Deployment>().ToList());

    public Task<IReadOnlyList<Deployment>> LatestAllAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Deployment>>(_deployments.GroupBy(d => (d.Service, d.Environment)).Select(g => g.MaxBy(d => d.Id)!).ToList());

    public Task<bool> HasSucceededAsync(long releaseId, string environment, CancellationToken cancellationToken) =>
        Task.FromResult(_deployments.Any(d => d.ReleaseId == releaseId && d.Environment == environment && d.State == DeploymentState.Succeeded));

    private Deployment? Current(string service, string environment) =>
        _deployments.Where(d => d.Service == service && d.Environment == environment && d.State == DeploymentState.Succeeded)
            .OrderByDescending(d => d.UpdatedAt).ThenByDescending(d => d.Id).FirstOrDefault();

    private bool Apply(long id, Transition transition, DateTimeOffset now)
    {
        var index = _deployments.FindIndex(d => d.Id == id);
        if (index < 0 || _deployments[index].State != transition.From)
        {
            return false;
        }
        var d = _deployments[index];
        if (transition.RequireEnvironmentFree && _deployments.Any(o => o.Id != id && o.Service == d.Service && o.Environment == d.Environment
            && DeploymentStates.HoldingEnvironment.Contains(o.State)))
        {
            return false;
        }
        var waits = DeploymentStates.Waiting.Contains(transition.To);
        _deployments[index] = d with
        {
            State = transition.To,
            UpdatedAt = now,
            Reason = transition.Reason ?? d.Reason,
            Diagnosis = transition.Diagnosis ?? d.Diagnosis,
            VerifyDeadline = transition.VerifyDeadline ?? d.VerifyDeadline,
            PreviousDeploymentId = transition.PreviousDeploymentId ?? d.PreviousDeploymentId,
            RestoreState = transition.RestoreState ?? d.RestoreState,
            Waiting = waits ? transition.Waiting ?? (transition.To == transition.From ? d.Waiting : null) : null,
            WaitingUntil = waits ? transition.WaitingUntil ?? (transition.To == transition.From ? d.WaitingUntil : null) : null,
        };
        _events.Add(new DeploymentEvent(id, now, transition.To, transition.Actor, transition.Message));
        return true;
    }

    public Task<IAsyncDisposable> DeliveryTurnAsync(string service, CancellationToken cancellationToken) => Task.FromResult<IAsyncDisposable>(new NoTurn());

    private sealed class NoTurn : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
