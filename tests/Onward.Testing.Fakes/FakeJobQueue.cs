using Onward.Core.Pipeline;

namespace Onward.Testing.Fakes;

/// <summary>
/// Jobs in memory with the queue's rules: a claim leases due jobs (woken ones first), only the lease holder extends,
/// reschedules or completes a job, a wake while a step runs makes the job run once more, and a server takes back its
/// own leases at start.
/// </summary>
public sealed class FakeJobQueue(FakeDatabase database) : IJobQueue
{
    private readonly List<Row> _jobs = [];
    private readonly HashSet<(JobKind, long)> _woken = [];
    private long _lastId;

    public event Action? JobAdded;

    /// <summary>The jobs there are, for assertions.</summary>
    public IReadOnlyList<Job> All
    {
        get
        {
            lock (database.Gate)
            {
                return _jobs.Select(r => r.Job).ToList();
            }
        }
    }

    /// <summary>Adds a job with the change that needs it; a deployment's job knows its environment, so that a claim can skip it.</summary>
    public void Enqueue(JobKind kind, long subject, DateTimeOffset now, string? environment = null)
    {
        lock (database.Gate)
        {
            _jobs.Add(new Row(new Job(++_lastId, kind, subject, 0, now), environment));
        }
        // Raised outside the gate where the caller holds none; a store that enqueues inside its change still holds it.
        JobAdded?.Invoke();
    }

    /// <summary>Makes a job due now with the change that calls for it; one being run is marked to run again when rescheduled.</summary>
    public void MakeDue(JobKind kind, long subject, DateTimeOffset now)
    {
        var changed = false;
        lock (database.Gate)
        {
            foreach (var row in _jobs.Where(r => r.Job.Kind == kind && r.Job.Subject == subject))
            {
                changed = true;
                if (row.Owner is not null)
                {
                    row.WakeRequested = true;
                }
                else if (row.Job.DueAt > now)
                {
                    row.Job = row.Job with { DueAt = now };
                }
            }
        }
        // As the stores do once the change committed: idle workers look again.
        if (changed)
        {
            JobAdded?.Invoke();
        }
    }

    public Task<IReadOnlyList<Job>> ClaimAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken) =>
        ClaimAsync(owner, now, lease, max, [], cancellationToken);

    public Task<IReadOnlyList<Job>> ClaimAsync(
        string owner, DateTimeOffset now, TimeSpan lease, int max, IReadOnlyCollection<string> skipEnvironments, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            var claimed = _jobs
                .Where(r => (r.Job.DueAt <= now || _woken.Contains(Key(r.Job))) && (r.LeaseUntil is null || r.LeaseUntil < now)
                    && !(r.Environment is { } environment && skipEnvironments.Contains(environment)))
                .OrderBy(r => !_woken.Contains(Key(r.Job))).ThenBy(r => r.Job.DueAt).ThenBy(r => r.Job.Id)
                .Take(max).ToList();
            foreach (var row in claimed)
            {
                row.Owner = owner;
                row.LeaseUntil = now + lease;
                row.Job = row.Job with { Attempts = row.Job.Attempts + 1 };
                _woken.Remove(Key(row.Job));
            }
            // A wake for a job that has ended is dropped.
            _woken.RemoveWhere(k => !_jobs.Any(r => Key(r.Job) == k));
            return Task.FromResult<IReadOnlyList<Job>>(claimed.Select(r => r.Job).ToList());
        }
    }

    public Task CompleteAsync(Job job, string owner, CancellationToken cancellationToken)
    {
        var kept = false;
        lock (database.Gate)
        {
            if (Held(job, owner) is { } row)
            {
                if (row.WakeRequested || _woken.Contains(Key(job)))
                {
                    (row.Owner, row.LeaseUntil, row.WakeRequested, kept) = (null, null, false, true);
                }
                else
                {
                    _jobs.Remove(row);
                }
            }
        }
        if (kept)
        {
            JobAdded?.Invoke();
        }
        return Task.CompletedTask;
    }

    public Task<bool> ExtendAsync(Job job, string owner, DateTimeOffset until, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            if (Held(job, owner) is not { } row)
            {
                return Task.FromResult(false);
            }
            row.LeaseUntil = until;
            return Task.FromResult(true);
        }
    }

    public Task RescheduleAsync(Job job, string owner, DateTimeOffset now, DateTimeOffset dueAt, bool afterError, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            if (Held(job, owner) is { } row)
            {
                row.Job = row.Job with { DueAt = row.WakeRequested && now < dueAt ? now : dueAt, Attempts = afterError ? row.Job.Attempts : 0 };
                (row.Owner, row.LeaseUntil, row.WakeRequested) = (null, null, false);
            }
        }
        JobAdded?.Invoke();
        return Task.CompletedTask;
    }

    public void Wake(JobKind kind, long subject)
    {
        lock (database.Gate)
        {
            _woken.Add((kind, subject));
        }
        JobAdded?.Invoke();
    }

    public bool TakeWake(Job job)
    {
        lock (database.Gate)
        {
            return _woken.Remove(Key(job));
        }
    }

    public Task<int> ReclaimAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        int taken;
        lock (database.Gate)
        {
            var mine = _jobs.Where(r => r.Owner == owner).ToList();
            foreach (var row in mine)
            {
                (row.Owner, row.LeaseUntil) = (null, null);
                row.Job = row.Job with { DueAt = row.Job.DueAt > now ? now : row.Job.DueAt };
            }
            taken = mine.Count;
        }
        if (taken > 0)
        {
            JobAdded?.Invoke();
        }
        return Task.FromResult(taken);
    }

    public Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => NextDueAsync([], cancellationToken);

    public Task<DateTimeOffset?> NextDueAsync(IReadOnlyCollection<string> skipEnvironments, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            var next = _jobs.Where(r => !(r.Environment is { } environment && skipEnvironments.Contains(environment)))
                .Select(r => r.LeaseUntil is null && _woken.Contains(Key(r.Job)) ? DateTimeOffset.UnixEpoch
                    : r.LeaseUntil is null || r.LeaseUntil < r.Job.DueAt ? r.Job.DueAt
                    : r.LeaseUntil.Value)
                .Select(d => (DateTimeOffset?)d).Min();
            return Task.FromResult(next);
        }
    }

    private Row? Held(Job job, string owner) => _jobs.FirstOrDefault(r => r.Job.Id == job.Id && r.Owner == owner);

    private static (JobKind, long) Key(Job job) => (job.Kind, job.Subject);

    private sealed class Row(Job job, string? environment)
    {
        public Job Job { get; set; } = job;

        public string? Environment { get; } = environment;

        public string? Owner { get; set; }

        public DateTimeOffset? LeaseUntil { get; set; }

        public bool WakeRequested { get; set; }
    }
}
