using Onward.Core.Notifications;

namespace Onward.Testing.Fakes;

/// <summary>
/// The notification outbox over the fakes' events, with the store's rules: each event fanned out once, a delivery per
/// sink that wants it, claimed with a lease, and a git host's deliveries about one commit sent in order (a later one
/// waits behind an earlier one that is due later or being sent).
/// </summary>
public sealed class FakeNotificationStore(FakeDatabase database) : INotificationStore
{
    private readonly List<Row> _deliveries = [];
    private readonly Dictionary<(string Sink, long DeploymentId), HostDeployment> _hostDeployments = [];

    public Task<int> FanOutAsync(Func<NotificationEvent, IEnumerable<string>> sinks, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            var fanned = 0;
            for (var i = 0; i < database.Outbox.Count && fanned < 200; i++)
            {
                var (told, fannedOut) = database.Outbox[i];
                if (fannedOut)
                {
                    continue;
                }
                foreach (var sink in sinks(told).Distinct(StringComparer.Ordinal))
                {
                    _deliveries.Add(new Row(_deliveries.Count + 1, told, sink, now));
                }
                database.Outbox[i] = (told, true);
                fanned++;
            }
            return Task.FromResult(fanned);
        }
    }

    public Task<IReadOnlyList<NotificationDelivery>> ClaimAsync(
        string owner, DateTimeOffset now, TimeSpan lease, int max, IReadOnlyCollection<string> busy, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            var claimed = _deliveries
                .Where(n => n.State == NotificationState.Pending && n.NextAt <= now && (n.LeaseUntil is null || n.LeaseUntil < now) && !busy.Contains(n.Sink)
                    && !(NotificationSinks.KeepsCommitOrder(n.Sink) && _deliveries.Any(o => o.Sink == n.Sink && o.State == NotificationState.Pending
                        && o.Event.Id < n.Event.Id && o.Event.Commit == n.Event.Commit && o.Event.Commit is not null && (o.NextAt > now || o.LeaseUntil >= now))))
                .OrderBy(n => n.Event.Id).ThenBy(n => n.Id).Take(max).ToList();
            foreach (var row in claimed)
            {
                (row.Owner, row.LeaseUntil) = (owner, now + lease);
            }
            return Task.FromResult<IReadOnlyList<NotificationDelivery>>(claimed.Select(r => r.ToDelivery()).ToList());
        }
    }

    public Task RecordAsync(long id, string owner, SendOutcome outcome, DateTimeOffset now, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            if (_deliveries.FirstOrDefault(d => d.Id == id && d.Owner == owner) is { } row)
            {
                row.State = outcome.Delivered ? NotificationState.Sent : retryAt is null ? NotificationState.Failed : NotificationState.Pending;
                row.Attempts++;
                (row.LastStatus, row.LastError) = (outcome.Status, outcome.Error is { Length: > 500 } error ? error[..500] : outcome.Error);
                row.SentAt = outcome.Delivered ? now : null;
                row.NextAt = retryAt ?? row.NextAt;
                (row.Owner, row.LeaseUntil) = (null, null);
            }
        }
        return Task.CompletedTask;
    }

    public Task PutBackAsync(long id, string owner, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            if (_deliveries.FirstOrDefault(d => d.Id == id && d.Owner == owner) is { } row)
            {
                (row.Owner, row.LeaseUntil) = (null, null);
            }
        }
        return Task.CompletedTask;
    }

    public Task<HostDeployment?> HostDeploymentAsync(string sink, long deploymentId, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult(_hostDeployments.GetValueOrDefault((sink, deploymentId)));
        }
    }

    public Task AskingForHostDeploymentAsync(string sink, long deploymentId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            _hostDeployments.TryAdd((sink, deploymentId), new HostDeployment(null, now));
        }
        return Task.CompletedTask;
    }

    public Task RememberHostDeploymentAsync(string sink, long deploymentId, string hostId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            _hostDeployments[(sink, deploymentId)] = _hostDeployments.TryGetValue((sink, deploymentId), out var asked)
                ? asked with { HostId = hostId }
                : new HostDeployment(hostId, now);
        }
        return Task.CompletedTask;
    }

    public Task<long?> DeploymentOfHostIdAsync(string hostId, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult(hostId.Length == 0 ? null : _hostDeployments.Where(h => h.Value.HostId == hostId).Select(h => (long?)h.Key.DeploymentId).FirstOrDefault());
        }
    }

    public Task<IReadOnlyList<NotificationDelivery>> ListAsync(int limit, long? before, string? sink, NotificationState? state, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult<IReadOnlyList<NotificationDelivery>>(_deliveries
                .Where(d => (before is null || d.Id < before) && (sink is null || d.Sink == sink) && (state is null || d.State == state))
                .OrderByDescending(d => d.Id).Take(limit).Select(d => d.ToDelivery()).ToList());
        }
    }

    public Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult(_deliveries.Where(d => d.State == NotificationState.Pending).Select(d => (DateTimeOffset?)d.NextAt).Min());
        }
    }

    private sealed class Row(long id, NotificationEvent told, string sink, DateTimeOffset now)
    {
        public long Id { get; } = id;

        public NotificationEvent Event { get; } = told;

        public string Sink { get; } = sink;

        public NotificationState State { get; set; } = NotificationState.Pending;

        public int Attempts { get; set; }

        public DateTimeOffset CreatedAt { get; } = now;

        public DateTimeOffset NextAt { get; set; } = now;

        public DateTimeOffset? SentAt { get; set; }

        public int? LastStatus { get; set; }

        public string? LastError { get; set; }

        public string? Owner { get; set; }

        public DateTimeOffset? LeaseUntil { get; set; }

        public NotificationDelivery ToDelivery() => new(Id, Event, Sink, State, Attempts, CreatedAt, NextAt, SentAt, LastStatus, LastError);
    }
}
