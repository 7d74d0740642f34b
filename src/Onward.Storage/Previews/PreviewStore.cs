using System.Data.Common;
using Dapper;
using Onward.Contracts.Notifications;
using Onward.Core.Pipeline;
using Onward.Core.Previews;
using Onward.Core.Releases;
using Onward.Storage.Audit;
using Onward.Storage.Database;
using Onward.Storage.Notifications;
using Onward.Storage.Pipeline;

namespace Onward.Storage.Previews;

/// <summary>
/// Previews in the database. Changes of one service's previews take turns (a lock shared by replicas), so that two
/// pushes cannot both find a free place under <c>max</c> or the same free port. Making, moving and ending a preview
/// writes its audit entry (action <c>preview.*</c>, environment <c>{service}-pr-{number}</c>) in the same transaction.
/// </summary>
public sealed class PreviewStore(OnwardDatabase database, JobQueue jobs) : IPreviewStore
{
    /// <summary>The longest text kept of a failure, an ending or a comment.</summary>
    private const int MostText = 8000;

    private const string Columns = """
        id AS Id, service AS Service, number AS Number, branch AS Branch, commit_sha AS CommitSha, head_ref AS HeadRef, link AS Link,
        state AS State, port AS Port, url AS Url, failure AS Failure, release_id AS ReleaseId, deployment_id AS DeploymentId,
        comment_id AS CommentId, said AS Said, ending AS Ending, created_at AS CreatedAt, pushed_at AS PushedAt, destroyed_at AS DestroyedAt
        """;

    private static readonly string[] Holding = [.. Enum.GetValues<PreviewState>().Where(s => s is not (PreviewState.Waiting or PreviewState.Destroyed)).Select(s => s.ToString())];

    public async Task<(Preview Preview, bool Changed)> PushedAsync(PreviewPush push, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var turn = await database.LockAsync("previews/" + push.Service, cancellationToken);
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        var known = await FindAsync(connection, transaction, push.Service, push.Number, cancellationToken);
        // The same head again changes nothing, also for a destroyed one (it comes back with a push or a reopen, not with
        // a title edited); a push that came while it is being destroyed is kept below.
        if (known is not null && known.Commit == push.Commit && known.State != PreviewState.Destroying && (known.State != PreviewState.Destroyed || !push.Opened))
        {
            return (known, false);
        }
        var at = UnixTime.From(now);
        var environment = Core.Configuration.PreviewConfig.EnvironmentName(push.Service, push.Number);
        long id;
        string action;
        if (known is null || known.State == PreviewState.Destroyed)
        {
            // New, or back after it was destroyed: it takes a place (and a port) if there is one.
            var place = await PlaceAsync(connection, transaction, push.Service, push.Max, push.Ports, cancellationToken);
            var state = place.Free ? PreviewState.Building : PreviewState.Waiting;
            var fields = new
            {
                push.Service,
                push.Number,
                push.Branch,
                Commit = push.Commit,
                push.HeadRef,
                Link = Bounded(push.Link, 2000),
                State = state.ToString(),
                place.Port,
                at,
            };
            if (known is null)
            {
                id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
                    INSERT INTO previews (service, number, branch, commit_sha, head_ref, link, state, port, created_at, pushed_at)
                    VALUES (@Service, @Number, @Branch, @Commit, @HeadRef, @Link, @State, @Port, @at, @at)
                    RETURNING id
                    """, fields, transaction, cancellationToken: cancellationToken));
            }
            else
            {
                id = known.Id;
                await connection.ExecuteAsync(new CommandDefinition("""
                    UPDATE previews SET branch = @Branch, commit_sha = @Commit, head_ref = @HeadRef, link = COALESCE(@Link, link), state = @State, port = @Port,
                        url = NULL, failure = NULL, release_id = NULL, deployment_id = NULL, ending = NULL, destroyed_at = NULL, created_at = @at, pushed_at = @at
                    WHERE id = @id
                    """, new { fields.Branch, fields.Commit, fields.HeadRef, fields.Link, fields.State, fields.Port, at, id }, transaction, cancellationToken: cancellationToken));
            }
            action = "preview.created";
            await AuditRows.InsertAsync(connection, transaction, now, Actors.Onward, action, environment,
                $"{push.Why}: preview of {push.Branch} at {Release.ShortHash(push.Commit)}" + (place.Free ? "" : $"; waiting, {push.Max} previews of {push.Service} run already (previews.max)"),
                cancellationToken);
        }
        else if (known.State == PreviewState.Destroying && known.Commit == push.Commit && !push.Opened)
        {
            return (known, false);
        }
        else if (known.State == PreviewState.Destroying)
        {
            // Pushed (or reopened) while it is being destroyed: it comes back with this head once that is done.
            id = known.Id;
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE previews SET branch = @Branch, commit_sha = @Commit, head_ref = @HeadRef, link = COALESCE(@Link, link), pushed_at = @at, comeback = 1
                WHERE id = @id
                """, new { push.Branch, Commit = push.Commit, push.HeadRef, Link = Bounded(push.Link, 2000), at, id }, transaction, cancellationToken: cancellationToken));
            action = "preview.updated";
            await AuditRows.InsertAsync(connection, transaction, now, Actors.Onward, action, environment,
                $"{push.Why}: it comes back at {Release.ShortHash(push.Commit)} once it is destroyed", cancellationToken);
        }
        else
        {
            // A live one's next head: built and deployed again (superseding what runs); a waiting one stays waiting.
            id = known.Id;
            var state = known.State is PreviewState.Waiting ? PreviewState.Waiting : PreviewState.Building;
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE previews SET branch = @Branch, commit_sha = @Commit, head_ref = @HeadRef, link = COALESCE(@Link, link), state = @State,
                    failure = NULL, release_id = NULL, deployment_id = NULL, pushed_at = @at
                WHERE id = @id
                """, new { push.Branch, Commit = push.Commit, push.HeadRef, Link = Bounded(push.Link, 2000), State = state.ToString(), at, id },
                transaction, cancellationToken: cancellationToken));
            action = "preview.updated";
            await AuditRows.InsertAsync(connection, transaction, now, Actors.Onward, action, environment, $"{push.Why}: preview moves to {Release.ShortHash(push.Commit)}", cancellationToken);
        }
        await JobQueue.DueOrEnqueueAsync(connection, transaction, JobKind.Preview, id, now, cancellationToken);
        await write.CommitAsync(cancellationToken);
        jobs.Notify();
        return ((await GetAsync(id, cancellationToken))!, true);
    }

    /// <summary>Whether one more preview of the service may hold an environment, and the port it gets from the range.</summary>
    private static async Task<(bool Free, int? Port)> PlaceAsync(
        DbConnection connection, DbTransaction transaction, string service, int max, (int First, int Last)? ports, CancellationToken cancellationToken)
    {
        var holding = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COUNT(*) FROM previews WHERE service = @service AND state IN ({string.Join(", ", Holding.Select(s => $"'{s}'"))})",
            new { service }, transaction, cancellationToken: cancellationToken));
        if (holding >= max)
        {
            return (false, null);
        }
        if (ports is not { } range)
        {
            return (true, null);
        }
        var taken = (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT port FROM previews WHERE port IS NOT NULL AND state <> 'Destroyed'", transaction: transaction, cancellationToken: cancellationToken))).ToHashSet();
        for (var port = range.First; port <= range.Last; port++)
        {
            if (!taken.Contains(port))
            {
                return (true, port);
            }
        }
        return (false, null);
    }

    public async Task<Preview?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<PreviewRow>(new CommandDefinition($"SELECT {Columns} FROM previews WHERE id = @id", new { id }, cancellationToken: cancellationToken)))
            .Select(r => r.ToPreview()).FirstOrDefault();
    }

    public async Task<Preview?> FindAsync(string service, long number, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await FindAsync(connection, null, service, number, cancellationToken);
    }

    private static async Task<Preview?> FindAsync(DbConnection connection, DbTransaction? transaction, string service, long number, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<PreviewRow>(new CommandDefinition($"SELECT {Columns} FROM previews WHERE service = @service AND number = @number",
            new { service, number }, transaction, cancellationToken: cancellationToken))).Select(r => r.ToPreview()).FirstOrDefault();

    public async Task<IReadOnlyList<Preview>> LiveAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<PreviewRow>(new CommandDefinition(
            $"SELECT {Columns} FROM previews WHERE state <> 'Destroyed' ORDER BY created_at, id", cancellationToken: cancellationToken))).Select(r => r.ToPreview()).ToList();
    }

    public async Task<bool> MoveAsync(Preview was, Preview next, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var changed = await write.Connection.ExecuteAsync(new CommandDefinition("""
            UPDATE previews SET state = @State, failure = @Failure, release_id = @ReleaseId, deployment_id = @DeploymentId, url = @Url
            WHERE id = @Id AND state = @Was AND commit_sha = @Commit
            """, new
        {
            next.Id,
            State = next.State.ToString(),
            Failure = Bounded(next.Failure, MostText),
            next.ReleaseId,
            next.DeploymentId,
            Url = Bounded(next.Url, 2000),
            Was = was.State.ToString(),
            was.Commit,
        }, write.Transaction, cancellationToken: cancellationToken));
        if (changed > 0 && next.State != was.State && next.State is PreviewState.Ready or PreviewState.Failed)
        {
            await AuditRows.InsertAsync(write.Connection, write.Transaction, now, Actors.Onward, "preview." + next.State.ToString().ToLowerInvariant(), next.Environment,
                next.State == PreviewState.Ready ? $"preview of {Release.ShortHash(next.Commit)} ready{(next.Url is null ? "" : " at " + next.Url)}" : $"preview of {Release.ShortHash(next.Commit)} failed: {Bounded(next.Failure, 500)}",
                cancellationToken);
        }
        await write.CommitAsync(cancellationToken);
        return changed > 0;
    }

    public async Task SaidAsync(long id, string? commentId, string said, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition("UPDATE previews SET comment_id = @commentId, said = @said WHERE id = @id",
            new { id, commentId = Bounded(commentId, 200), said = Bounded(said, MostText) }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
    }

    public async Task<Preview?> EndAsync(string service, long number, string why, string actor, DateTimeOffset now, CancellationToken cancellationToken, DateTimeOffset? unlessPushedSince = null)
    {
        await using var turn = await database.LockAsync("previews/" + service, cancellationToken);
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var known = await FindAsync(write.Connection, write.Transaction, service, number, cancellationToken);
        if (known is not null && known.State == PreviewState.Destroying)
        {
            // Closed again while being destroyed: a push that came meanwhile no longer brings it back.
            var cleared = await write.Connection.ExecuteAsync(new CommandDefinition("UPDATE previews SET comeback = 0 WHERE id = @id AND comeback = 1",
                new { id = known.Id }, write.Transaction, cancellationToken: cancellationToken));
            if (cleared > 0)
            {
                await AuditRows.InsertAsync(write.Connection, write.Transaction, now, actor, "preview.destroying", known.Environment, why, cancellationToken);
            }
            await write.CommitAsync(cancellationToken);
            return cleared > 0 ? known : null;
        }
        if (known is null || known.State == PreviewState.Destroyed || (unlessPushedSince is { } since && known.PushedAt > since))
        {
            return null;
        }
        await write.Connection.ExecuteAsync(new CommandDefinition("UPDATE previews SET state = 'Destroying', ending = @why WHERE id = @id",
            new { id = known.Id, why = Bounded(why, MostText) }, write.Transaction, cancellationToken: cancellationToken));
        await AuditRows.InsertAsync(write.Connection, write.Transaction, now, actor, "preview.destroying", known.Environment, why, cancellationToken);
        await JobQueue.DueOrEnqueueAsync(write.Connection, write.Transaction, JobKind.Preview, known.Id, now, cancellationToken);
        await write.CommitAsync(cancellationToken);
        jobs.Notify();
        return known with { State = PreviewState.Destroying, Ending = why };
    }

    public async Task DestroyedAsync(long id, string note, int max, (int First, int Last)? ports, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var preview = await GetAsync(id, cancellationToken);
        if (preview is null)
        {
            return;
        }
        await using var turn = await database.LockAsync("previews/" + preview.Service, cancellationToken);
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE previews SET state = 'Destroyed', port = NULL, destroyed_at = @at WHERE id = @id AND state = 'Destroying'",
            new { id, at = UnixTime.From(now) }, transaction, cancellationToken: cancellationToken));
        if (changed > 0)
        {
            await AuditRows.InsertAsync(connection, transaction, now, Actors.Onward, "preview.destroyed", preview.Environment, note, cancellationToken);
            // The git host's deployment of what ran there is no longer active (GitLab: its environment stops).
            var last = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT MAX(id) FROM deployments WHERE environment = @environment AND service = @service AND retired_at IS NULL",
                new { environment = preview.Environment, service = preview.Service }, transaction, cancellationToken: cancellationToken));
            if (last is { } deployment)
            {
                await NotificationOutbox.AddForDeploymentAsync(connection, transaction, NotificationKind.Retired, deployment, Actors.Onward,
                    $"preview destroyed: {preview.Ending ?? note}", UnixTime.From(now), cancellationToken);
            }
            // Nothing runs there any more: none of its deployments is current (a preview that comes back starts afresh,
            // with nothing to adopt, heal or restore).
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE deployments SET retired_at = @at WHERE environment = @environment AND service = @service AND retired_at IS NULL",
                new { environment = preview.Environment, service = preview.Service, at = UnixTime.From(now) }, transaction, cancellationToken: cancellationToken));
            // A push that came while it was being destroyed brings it back, behind those that waited already.
            var comeback = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE previews SET state = 'Waiting', comeback = 0, url = NULL, failure = NULL, release_id = NULL, deployment_id = NULL, ending = NULL, destroyed_at = NULL, created_at = @at WHERE id = @id AND comeback = 1",
                new { id, at = UnixTime.From(now) }, transaction, cancellationToken: cancellationToken));
            if (comeback > 0)
            {
                await AuditRows.InsertAsync(connection, transaction, now, Actors.Onward, "preview.created", preview.Environment,
                    "back: its pull request was pushed to while it was being destroyed", cancellationToken);
                // Its job goes on: it takes a place below, or says on the pull request that it waits.
                await JobQueue.DueOrEnqueueAsync(connection, transaction, JobKind.Preview, id, now, cancellationToken);
            }
            await ActivateAsync(connection, transaction, preview.Service, max, ports, now, cancellationToken);
        }
        await write.CommitAsync(cancellationToken);
        jobs.Notify();
    }

    public async Task ActivateAsync(string service, int max, (int First, int Last)? ports, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var turn = await database.LockAsync("previews/" + service, cancellationToken);
        await using var write = await database.BeginWriteAsync(cancellationToken);
        if (await ActivateAsync(write.Connection, write.Transaction, service, max, ports, now, cancellationToken) > 0)
        {
            await write.CommitAsync(cancellationToken);
            jobs.Notify();
        }
    }

    /// <summary>The oldest waiting previews of the service take the places there are; returns how many did.</summary>
    private static async Task<int> ActivateAsync(
        DbConnection connection, DbTransaction transaction, string service, int max, (int First, int Last)? ports, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var waiting = (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM previews WHERE service = @service AND state = 'Waiting' ORDER BY created_at, id",
            new { service }, transaction, cancellationToken: cancellationToken))).ToList();
        var started = 0;
        foreach (var next in waiting)
        {
            var place = await PlaceAsync(connection, transaction, service, max, ports, cancellationToken);
            if (!place.Free)
            {
                break;
            }
            await connection.ExecuteAsync(new CommandDefinition("UPDATE previews SET state = 'Building', port = @Port WHERE id = @next",
                new { place.Port, next }, transaction, cancellationToken: cancellationToken));
            await JobQueue.DueOrEnqueueAsync(connection, transaction, JobKind.Preview, next, now, cancellationToken);
            started++;
        }
        return started;
    }

    private static string? Bounded(string? text, int most) => text is null || text.Length <= most ? text : text[..most];

    private sealed class PreviewRow
    {
        public long Id { get; init; }

        public string Service { get; init; } = "";

        public long Number { get; init; }

        public string Branch { get; init; } = "";

        public string CommitSha { get; init; } = "";

        public string? HeadRef { get; init; }

        public string? Link { get; init; }

        public string State { get; init; } = "";

        public long? Port { get; init; }

        public string? Url { get; init; }

        public string? Failure { get; init; }

        public long? ReleaseId { get; init; }

        public long? DeploymentId { get; init; }

        public string? CommentId { get; init; }

        public string? Said { get; init; }

        public string? Ending { get; init; }

        public long CreatedAt { get; init; }

        public long PushedAt { get; init; }

        public long? DestroyedAt { get; init; }

        public Preview ToPreview() => new(Id, Service, Number, Branch, CommitSha, Enum.Parse<PreviewState>(State), UnixTime.To(CreatedAt), UnixTime.To(PushedAt))
        {
            HeadRef = HeadRef,
            Link = Link,
            Port = Port is { } port ? (int)port : null,
            Url = Url,
            Failure = Failure,
            ReleaseId = ReleaseId,
            DeploymentId = DeploymentId,
            CommentId = CommentId,
            Said = Said,
            Ending = Ending,
            DestroyedAt = UnixTime.To(DestroyedAt),
        };
    }
}
