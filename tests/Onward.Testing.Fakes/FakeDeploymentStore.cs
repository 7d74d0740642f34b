using Onward.Contracts.Notifications;
using Onward.Contracts.Deployments;
using Onward.Core.Deployments;
using Onward.Core.Notifications;
using Onward.Core.Pipeline;

namespace Onward.Testing.Fakes;

/// <summary>
/// Deployments and their events in memory, recorded by the same admission as the stores' (<see cref="DeploymentAdmission.AdmitAsync"/>:
/// supersession, one promotion per release and environment), with conditional transitions, one deployment holding
/// an environment at a time, and the notification events a change tells.
/// </summary>
public sealed class FakeDeploymentStore(FakeReleaseStore releases) : IDeploymentStore
{
    private readonly List<Deployment> _deployments = [];
    private readonly List<DeploymentEvent> _events = [];
    private readonly FakeDatabase _database = releases.Database;
    private readonly FakeReleaseStore _releases = releases;

    public FakeDatabase Database => _database;

    public IReadOnlyList<Deployment> All
    {
        get
        {
            lock (_database.Gate)
            {
                return _deployments.ToList();
            }
        }
    }

    public IReadOnlyList<DeploymentEvent> EventsOf(long id)
    {
        lock (_database.Gate)
        {
            return _events.Where(e => e.DeploymentId == id).ToList();
        }
    }

    /// <summary>Every event with its place in the trail (1, 2, …), for the audit log.</summary>
    internal IReadOnlyList<(long Seq, DeploymentEvent Event, Deployment Deployment)> Trail()
    {
        lock (_database.Gate)
        {
            return _events.Select((e, i) => ((long)i + 1, e, _deployments.First(d => d.Id == e.DeploymentId))).ToList();
        }
    }

    public Task<Deployment> AddAsync(NewDeployment deployment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_database.Gate)
        {
            // Every step completes at once: the gate is held throughout, as a transaction would be.
            var (id, _) = DeploymentAdmission.AdmitAsync(new Admission(this, now), deployment, cancellationToken).GetAwaiter().GetResult();
            return Task.FromResult(_deployments.First(d => d.Id == id));
        }
    }

    public Task<Deployment?> GetAsync(long id, CancellationToken cancellationToken)
    {
        lock (_database.Gate)
        {
            return Task.FromResult(_deployments.FirstOrDefault(d => d.Id == id));
        }
    }

    public Task<IReadOnlyList<Deployment>> ListAsync(DeploymentQuery query, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Deployment>>(All
            .Where(d => (query.Service is null || d.Service == query.Service) && (query.Environment is null || d.Environment == query.Environment)
                && (query.State is null || d.State == query.State) && (query.ReleaseId is null || d.ReleaseId == query.ReleaseId) && (query.ReleaseIds is null || query.ReleaseIds.Contains(d.ReleaseId)) && (query.Before is null || d.Id < query.Before))
            .OrderByDescending(d => d.Id).Take(query.Limit).ToList());

    public Task<IReadOnlyList<DeploymentEvent>> EventsAsync(long id, CancellationToken cancellationToken) => Task.FromResult(EventsOf(id));

    public Task<bool> TransitionAsync(long id, Transition transition, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(Apply(id, transition, now));

    public Task<bool> SetProgressAsync(long id, DeploymentState state, string progress, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_database.Gate)
        {
            var index = _deployments.FindIndex(d => d.Id == id && d.State == state && d.Progress != progress);
            if (index < 0)
            {
                return Task.FromResult(false);
            }
            _deployments[index] = _deployments[index] with { Progress = progress };
            _events.Add(new DeploymentEvent(id, now, state, actor, progress));
            return Task.FromResult(true);
        }
    }

    public Task AppendEventAsync(long id, string actor, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_database.Gate)
        {
            if (_deployments.FirstOrDefault(d => d.Id == id) is { } deployment)
            {
                _events.Add(new DeploymentEvent(id, now, deployment.State, actor, message));
            }
        }
        return Task.CompletedTask;
    }

    public Task<Deployment?> CurrentAsync(string service, string environment, CancellationToken cancellationToken)
    {
        lock (_database.Gate)
        {
            return Task.FromResult(Current(service, environment));
        }
    }

    public Task<IReadOnlyList<Deployment>> CurrentAllAsync(CancellationToken cancellationToken)
    {
        lock (_database.Gate)
        {
            return Task.FromResult<IReadOnlyList<Deployment>>(_deployments.Select(d => (d.Service, d.Environment)).Distinct()
                .Select(p => Current(p.Service, p.Environment)).OfType<Deployment>().ToList());
        }
    }

    public Task<IReadOnlyList<Deployment>> LatestAllAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Deployment>>(All.GroupBy(d => (d.Service, d.Environment)).Select(g => g.MaxBy(d => d.Id)!).ToList());

    public Task<bool> HasSucceededAsync(long releaseId, string environment, CancellationToken cancellationToken) =>
        Task.FromResult(All.Any(d => d.ReleaseId == releaseId && d.Environment == environment && d.State == DeploymentState.Succeeded));

    public Task<IAsyncDisposable> DeliveryTurnAsync(string service, CancellationToken cancellationToken) => Task.FromResult<IAsyncDisposable>(new NoTurn());

    private Deployment? Current(string service, string environment) =>
        _deployments.Where(d => d.Service == service && d.Environment == environment && d.State == DeploymentState.Succeeded)
            .OrderByDescending(d => d.UpdatedAt).ThenByDescending(d => d.Id).FirstOrDefault();

    internal bool Apply(long id, Transition transition, DateTimeOffset now)
    {
        lock (_database.Gate)
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
                StartedAt = transition.To == DeploymentState.Applying ? d.StartedAt ?? now : d.StartedAt,
                Progress = transition.To == transition.From ? d.Progress : null,
                Waiting = waits ? transition.Waiting ?? (transition.To == transition.From ? d.Waiting : null) : null,
                WaitingUntil = waits ? transition.WaitingUntil ?? (transition.To == transition.From ? d.WaitingUntil : null) : null,
            };
            _events.Add(new DeploymentEvent(id, now, transition.To, transition.Actor, transition.Message));
            if (NotificationKinds.OfDeployment(transition.From, transition.To, transition.RestoreState) is { } told)
            {
                Tell(told, id, transition.Actor, told is NotificationKind.Failed or NotificationKind.Blocked ? transition.Reason ?? transition.Message : transition.Message, now);
            }
            return true;
        }
    }

    /// <summary>Masks secret values in a deployment's reason, diagnosis and events.</summary>
    internal void Mask(long id, Onward.Core.Kubernetes.SecretText secrets)
    {
        lock (_database.Gate)
        {
            var index = _deployments.FindIndex(d => d.Id == id);
            if (index >= 0)
            {
                _deployments[index] = _deployments[index] with { Reason = secrets.MaskOrNull(_deployments[index].Reason), Diagnosis = secrets.MaskOrNull(_deployments[index].Diagnosis) };
            }
            for (var i = 0; i < _events.Count; i++)
            {
                if (_events[i].DeploymentId == id)
                {
                    _events[i] = _events[i] with { Message = secrets.Mask(_events[i].Message) };
                }
            }
        }
    }

    /// <summary>A notification event about a deployment; an end only for a deployment something was told of before.</summary>
    private void Tell(NotificationKind kind, long id, string actor, string message, DateTimeOffset at)
    {
        if (kind == NotificationKind.Ended && !_database.Outbox.Any(e => e.Event.DeploymentId == id))
        {
            return;
        }
        var d = _deployments.First(x => x.Id == id);
        _database.Tell(eventId => new NotificationEvent(eventId, kind, d.Service, d.Environment, d.Version, d.Commit, d.Id, d.ReleaseId, actor, message, at));
    }

    private sealed class Admission(FakeDeploymentStore store, DateTimeOffset now) : IAdmissionSteps
    {
        public Task<long?> PromotedBeforeAsync(NewDeployment deployment, CancellationToken cancellationToken) =>
            Task.FromResult(store._deployments.FirstOrDefault(d => d.ReleaseId == deployment.ReleaseId && d.Environment == deployment.Environment
                && d.Trigger == DeploymentTrigger.Promotion)?.Id);

        public Task<long> InsertAsync(NewDeployment deployment, CancellationToken cancellationToken)
        {
            var release = store._releases.All.Single(r => r.Id == deployment.ReleaseId);
            var id = store._deployments.Count + 1L;
            store._deployments.Add(new Deployment(id, deployment.Service, deployment.Environment, deployment.ReleaseId, release.Version, release.Commit, deployment.State,
                deployment.Reason, deployment.RequestedBy, deployment.Trigger, deployment.Override, now, now, null, null, null)
            {
                Waiting = deployment.Waiting,
                WaitingUntil = deployment.WaitingUntil,
            });
            return Task.FromResult(id);
        }

        public Task<IReadOnlyList<(long Id, DeploymentState State)>> WaitingBeforeAsync(NewDeployment deployment, long id, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<(long, DeploymentState)>>(store._deployments
                .Where(d => d.Service == deployment.Service && d.Environment == deployment.Environment && DeploymentStates.Waiting.Contains(d.State) && d.Id < id)
                .OrderBy(d => d.Id).Select(d => (d.Id, d.State)).ToList());

        public Task AddEventAsync(long id, DeploymentState state, string actor, string message, CancellationToken cancellationToken)
        {
            store._events.Add(new DeploymentEvent(id, now, state, actor, message));
            return Task.CompletedTask;
        }

        public Task TransitionAsync(long id, Transition transition, CancellationToken cancellationToken)
        {
            store.Apply(id, transition, now);
            return Task.CompletedTask;
        }

        public Task EnqueueAsync(long id, CancellationToken cancellationToken)
        {
            store._database.Jobs.Enqueue(JobKind.Deploy, id, now, store._deployments.First(d => d.Id == id).Environment);
            return Task.CompletedTask;
        }

        public Task TellAsync(NotificationKind kind, long id, string actor, string message, CancellationToken cancellationToken)
        {
            store.Tell(kind, id, actor, message, now);
            return Task.CompletedTask;
        }
    }

    private sealed class NoTurn : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
