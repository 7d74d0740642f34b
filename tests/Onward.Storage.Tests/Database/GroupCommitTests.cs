using Dapper;
using Onward.Storage.Database;
using Onward.Testing;

namespace Onward.Storage.Tests.Database;

/// <summary>Writers that queue up share one transaction, each in a savepoint: one commit for all, and no writer's failure undoes another's work.</summary>
public class GroupCommitTests
{
    private static async Task<SqliteDatabase> DatabaseAsync(TempDirectory dir)
    {
        var database = new SqliteDatabase(dir.Combine("onward.db"));
        await database.MigrateAsync(CancellationToken.None);
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync("CREATE TABLE notes (writer INTEGER PRIMARY KEY, text TEXT NOT NULL)");
        return database;
    }

    private static async Task<long> CountAsync(SqliteDatabase database, string where = "1 = 1")
    {
        // A connection of its own sees only what was committed.
        await using var connection = await database.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM notes WHERE {where}");
    }

    [Fact]
    public async Task Every_writer_of_a_burst_is_committed_when_it_returns_and_a_failing_one_undoes_only_its_own_work()
    {
        await using var dir = new TempDirectory();
        using var database = await DatabaseAsync(dir);
        var seenCommitted = new bool[200];

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            try
            {
                await using var write = await database.BeginWriteAsync(CancellationToken.None);
                await write.Connection.ExecuteAsync("INSERT INTO notes (writer, text) VALUES (@i, 'kept')", new { i }, write.Transaction);
                if (i % 10 == 3)
                {
                    throw new InvalidOperationException("this writer changes its mind");
                }
                await write.CommitAsync(CancellationToken.None);
                seenCommitted[i] = await CountAsync(database, $"writer = {i}") == 1;
            }
            catch (InvalidOperationException)
            {
            }
        })));

        (await CountAsync(database)).ShouldBe(180);
        (await CountAsync(database, "writer % 10 = 3")).ShouldBe(0, "the writers that gave up left nothing");
        seenCommitted.Where((seen, i) => i % 10 != 3 && !seen).ShouldBeEmpty("each writer's work was on disk, for everyone, when its commit returned");
    }

    [Fact]
    public async Task A_writer_that_gives_up_waiting_for_its_turn_does_not_leave_the_others_uncommitted()
    {
        await using var dir = new TempDirectory();
        using var database = await DatabaseAsync(dir);
        var first = await database.BeginWriteAsync(CancellationToken.None);
        await first.Connection.ExecuteAsync("INSERT INTO notes (writer, text) VALUES (1, 'first')", transaction: first.Transaction);
        using var impatient = new CancellationTokenSource();
        var waiting = database.BeginWriteAsync(impatient.Token);

        await impatient.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(waiting);

        await first.CommitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        (await CountAsync(database)).ShouldBe(1);
    }
}
