using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json;
using Dapper;
using Onward.Core.Pipeline;
using Onward.Storage.Database;

namespace Onward.Storage.Pipeline;

/// <summary>Jobs in the <c>jobs</c> table, claimed with a lease by an atomic UPDATE … RETURNING.</summary>
public sealed class JobQueue(OnwardDatabase database) : IJobQueue
{
    private readonly ConcurrentDictionary<string, byte> _woken = new(StringComparer.Ordinal);

    public event Action? JobAdded;

    public void Wake(JobKind kind, long subject)
    {
        _woken[Key(kind, subject)] = 0;
        JobAdded?.Invoke();
    }

    /// <summary>How a job is named among the woken ones, in memory and in the claim query alike.</summary>
    private static string Key(JobKind kind, long subject) => $"{kind}:{subject}";

    private static string Key(Job job) => Key(job.Kind, job.Subject);

    public bool TakeWake(Job job) => Consume(job);

    /// <summary>Takes back an in-memory wake of a job (its step is about to see the change, or it ran again).</summary>
    private bool Consume(Job job) => _woken.TryRemove(Key(job), out _);

    public Task<IReadOnlyList<Job>> ClaimAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken) =>
        ClaimAsync(owner, now, lease, max, [], cancellationToken);

    public async Task<IReadOnlyList<Job>> ClaimAsync(
        string owner, DateTimeOffset now, TimeSpan lease, int max, IReadOnlyCollection<string> skipEnvironments, CancellationToken cancellationToken)
    {
        var woken = JsonSerializer.Serialize(_woken.Keys.ToList());
        var skip = JsonSerializer.Serialize(skipEnvironments);
        var skipping = skipEnvironments.Count == 0 ? "" : " AND " + Skipping();
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var connection = write.Connection;
        // Jobs woken in memory are due whatever their record says, and go first; without any, the plain query is cheaper.
        var rows = await connection.QueryAsync<JobRow>(new CommandDefinition(woken == "[]"
            ? $"""
            UPDATE jobs SET lease_owner = @owner, lease_until = @until, attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM jobs
                WHERE due_at <= @now AND (lease_until IS NULL OR lease_until < @now){skipping}
                ORDER BY due_at, id LIMIT @max{database.SkipLocked})
            RETURNING id AS Id, kind AS Kind, subject AS Subject, attempts AS Attempts, due_at AS DueAt
            """
            : $"""
            WITH woken AS (SELECT id FROM jobs WHERE kind || ':' || subject IN ({database.JsonTexts("@woken")}))
            UPDATE jobs SET lease_owner = @owner, lease_until = @until, attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM jobs
                WHERE (due_at <= @now OR id IN (SELECT id FROM woken)) AND (lease_until IS NULL OR lease_until < @now){skipping}
                ORDER BY id NOT IN (SELECT id FROM woken), due_at, id LIMIT @max{database.SkipLocked})
            RETURNING id AS Id, kind AS Kind, subject AS Subject, attempts AS Attempts, due_at AS DueAt
            """,
            new { owner, until = UnixTime.From(now + lease), now = UnixTime.From(now), max, woken, skip },
            write.Transaction, cancellationToken: cancellationToken));
        var jobs = rows.Select(r => new Job(r.Id, Enum.Parse<JobKind>(r.Kind), r.Subject, (int)r.Attempts, UnixTime.To(r.DueAt))).ToList();
        // A wake for a job that has ended (a process that exited after its deployment finished) is dropped.
        var existing = woken == "[]" ? [] : (await connection.QueryAsync<string>(new CommandDefinition(
            $"SELECT kind || ':' || subject FROM jobs WHERE kind || ':' || subject IN ({database.JsonTexts("@woken")})",
            new { woken }, write.Transaction, cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        await write.CommitAsync(cancellationToken);
        foreach (var job in jobs)
        {
            Consume(job);
        }
        foreach (var key in JsonSerializer.Deserialize<List<string>>(woken)!.Where(k => !existing.Contains(k)))
        {
            _woken.TryRemove(key, out _);
        }
        return jobs;
    }

    public async Task CompleteAsync(Job job, string owner, CancellationToken cancellationToken)
    {
        // A wake that came while the last step ran may have changed what that step saw (an approval queuing a
        // deployment whose step was about to end it): such a job runs once more instead of vanishing.
        var wokenMeanwhile = _woken.ContainsKey(Key(job)) ? 1 : 0;
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var connection = write.Connection;
        var kept = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE jobs SET lease_owner = NULL, lease_until = NULL, wake_requested = 0 WHERE id = @Id AND lease_owner = @owner AND (wake_requested = 1 OR @wokenMeanwhile = 1)",
            new { job.Id, owner, wokenMeanwhile }, write.Transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM jobs WHERE id = @Id AND lease_owner = @owner", new { job.Id, owner }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
        if (kept > 0)
        {
            JobAdded?.Invoke();
        }
    }

    public async Task<bool> ExtendAsync(Job job, string owner, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var changed = await write.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE jobs SET lease_until = @until WHERE id = @Id AND lease_owner = @owner",
            new { job.Id, owner, until = UnixTime.From(until) }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
        return changed == 1;
    }

    public async Task RescheduleAsync(Job job, string owner, DateTimeOffset now, DateTimeOffset dueAt, bool afterError, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var connection = write.Connection;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE jobs SET
                due_at = CASE WHEN wake_requested = 1 AND @now < @due THEN @now ELSE @due END,
                wake_requested = 0, lease_owner = NULL, lease_until = NULL,
                attempts = CASE WHEN @afterError THEN attempts ELSE 0 END
            WHERE id = @Id AND lease_owner = @owner
            """,
            new { job.Id, owner, due = UnixTime.From(dueAt), now = UnixTime.From(now), afterError }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
        JobAdded?.Invoke();
    }

    /// <summary>Makes a job due now inside a caller's transaction.</summary>
    /// <remarks>
    /// A job being run right now cannot be made due; it is marked, and its reschedule makes it due at once, so that a
    /// change seen while the step ran is not left to the step's long recheck.
    /// </remarks>
    internal static async Task<int> MakeDueAsync(DbConnection connection, DbTransaction transaction, JobKind kind, long subject, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE jobs SET
                due_at = CASE WHEN lease_owner IS NULL AND due_at > @now THEN @now ELSE due_at END,
                wake_requested = CASE WHEN lease_owner IS NOT NULL THEN 1 ELSE wake_requested END
            WHERE kind = @kind AND subject = @subject
            """,
            new { kind = kind.ToString(), subject, now = UnixTime.From(now) }, transaction, cancellationToken: cancellationToken));
        if (changed > 0)
        {
            await NotifyReplicasAsync(connection, transaction, cancellationToken);
        }
        return changed;
    }

    public async Task<int> ReclaimAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var taken = await write.Connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE jobs SET lease_owner = NULL, lease_until = NULL, due_at = CASE WHEN due_at > @now THEN @now ELSE due_at END
            WHERE lease_owner = @owner
            """,
            new { owner, now = UnixTime.From(now) }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
        if (taken > 0)
        {
            JobAdded?.Invoke();
        }
        return taken;
    }

    public Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => NextDueAsync([], cancellationToken);

    public async Task<DateTimeOffset?> NextDueAsync(IReadOnlyCollection<string> skipEnvironments, CancellationToken cancellationToken)
    {
        // A woken job is due now, unless its step is running (its lease holder runs it again) or it has ended.
        var woken = JsonSerializer.Serialize(_woken.Keys.ToList());
        var skip = JsonSerializer.Serialize(skipEnvironments);
        var skipping = skipEnvironments.Count == 0 ? "" : " WHERE " + Skipping();
        await using var connection = await database.OpenAsync(cancellationToken);
        var next = await connection.ExecuteScalarAsync<long?>(new CommandDefinition($"""
            SELECT MIN(CASE
                WHEN lease_until IS NULL AND kind || ':' || subject IN ({database.JsonTexts("@woken")}) THEN 0
                WHEN lease_until IS NULL OR lease_until < due_at THEN due_at
                ELSE lease_until END)
            FROM jobs{skipping}
            """,
            new { woken, skip }, cancellationToken: cancellationToken));
        return UnixTime.To(next);
    }

    /// <summary>The condition that leaves out deployments to the environments in the JSON list <c>@skip</c>, and the jobs of previews that are such environments.</summary>
    private string Skipping() =>
        $"NOT ((kind = 'Deploy' AND subject IN (SELECT id FROM deployments WHERE environment IN ({database.JsonTexts("@skip")})))"
        + $" OR (kind = 'Preview' AND subject IN (SELECT id FROM previews WHERE service || '-pr-' || number IN ({database.JsonTexts("@skip")}))))";

    /// <summary>Makes the subject's job due now inside a caller's transaction, adding it when there is none (it ended).</summary>
    internal static async Task DueOrEnqueueAsync(DbConnection connection, DbTransaction transaction, JobKind kind, long subject, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await MakeDueAsync(connection, transaction, kind, subject, now, cancellationToken) == 0)
        {
            await EnqueueAsync(connection, transaction, kind, subject, now, cancellationToken);
        }
    }

    /// <summary>Adds a job inside a caller's transaction, so the work and the record of it commit together.</summary>
    internal static async Task EnqueueAsync(DbConnection connection, DbTransaction transaction, JobKind kind, long subject, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO jobs (kind, subject, due_at, created_at) VALUES (@kind, @subject, @now, @now)",
            new { kind = kind.ToString(), subject, now = UnixTime.From(now) }, transaction, cancellationToken: cancellationToken));
        await NotifyReplicasAsync(connection, transaction, cancellationToken);
    }

    /// <summary>On PostgreSQL, tells every replica's workers that a job became due, when the caller's transaction commits.</summary>
    private static Task NotifyReplicasAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        ReplicaChannels.NotifyAsync(connection, transaction, ReplicaChannels.Jobs, "", cancellationToken);

    /// <summary>Wakes idle workers in this process after a transaction with new jobs committed.</summary>
    internal void Notify() => JobAdded?.Invoke();

    /// <summary>Wakes idle workers in this process because another replica made a job due.</summary>
    public void Signal() => JobAdded?.Invoke();

    private sealed class JobRow
    {
        public long Id { get; init; }

        public string Kind { get; init; } = "";

        public long Subject { get; init; }

        public long Attempts { get; init; }

        public long DueAt { get; init; }
    }
}
