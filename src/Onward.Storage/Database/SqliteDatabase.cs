using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Onward.Storage.Database;

/// <summary>
/// Onward's embedded database: one SQLite file in WAL mode. Writes take the file's write lock at <c>BEGIN</c>
/// (Microsoft.Data.Sqlite starts transactions IMMEDIATE), so concurrent writers queue instead of deadlocking on upgrade.
/// Writers of this process take turns, and writers that queue up behind each other share one transaction, each in a
/// savepoint of its own (group commit): a burst of writes costs one commit, one fsync, instead of one each, and every
/// writer still returns only once its work is on disk.
/// </summary>
public sealed class SqliteDatabase : OnwardDatabase
{
    /// <summary>The most writers one commit takes, so that a steady stream of writers still commits regularly.</summary>
    private const int MostWritersPerCommit = 64;

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeTurn = new(1, 1);
    private int _waiting;
    private WriteBatch? _batch;

    public SqliteDatabase(string path)
    {
        Path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public override SqlDialect Dialect => SqlDialect.Sqlite;

    public override string Describe => Path;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _writeTurn.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Parses <c>sqlite:PATH</c>.</summary>
    public static new SqliteDatabase FromUrl(string url) =>
        url.StartsWith("sqlite:", StringComparison.Ordinal)
            ? new SqliteDatabase(url["sqlite:".Length..])
            : throw new ArgumentException($"'{url}' is not a sqlite: database URL", nameof(url));

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        // busy_timeout: writers wait for the lock instead of failing; synchronous=FULL: an answered request is on disk
        // even after a power loss, not only after a process crash.
        pragma.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// A write transaction of its own for the caller: a savepoint in the transaction this process's writers share.
    /// <see cref="WriteScope.CommitAsync"/> returns once the shared transaction is committed; disposing the scope
    /// without committing undoes only this caller's writes.
    /// </summary>
    public override async Task<WriteScope> BeginWriteAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _writeTurn.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Decrement(ref _waiting);
            // The writer before may have left its work for this one to commit; that happens once the turn is free,
            // without holding up this caller.
            _ = CommitLeftOverAsync();
            throw;
        }
        Interlocked.Decrement(ref _waiting);
        try
        {
            _batch ??= await WriteBatch.BeginAsync(await OpenAsync(CancellationToken.None), CancellationToken.None);
            var batch = _batch;
            var savepoint = batch.Enter();
            return new WriteScope(batch.Connection, batch.Transaction, keep => EndAsync(batch, savepoint, keep));
        }
        catch
        {
            await EndTurnAsync(commit: true);
            throw;
        }
    }

    /// <summary>Ends a writer's turn: its savepoint is kept or undone, and the shared transaction commits unless another writer waits to join it.</summary>
    private async Task EndAsync(WriteBatch batch, string savepoint, bool keep)
    {
        Task? committed = null;
        try
        {
            if (keep)
            {
                batch.Release(savepoint);
                committed = batch.Committed;
            }
            else
            {
                batch.Undo(savepoint);
            }
        }
        catch (Exception e)
        {
            batch.Fail(e);
        }
        await EndTurnAsync(commit: Volatile.Read(ref _waiting) == 0 || batch.Writers >= MostWritersPerCommit);
        if (committed is not null)
        {
            await committed;
        }
    }

    private async Task EndTurnAsync(bool commit)
    {
        try
        {
            if (commit && _batch is { } batch)
            {
                _batch = null;
                await batch.CommitAsync();
            }
        }
        finally
        {
            _writeTurn.Release();
        }
    }

    private async Task CommitLeftOverAsync()
    {
        await _writeTurn.WaitAsync(CancellationToken.None);
        await EndTurnAsync(commit: Volatile.Read(ref _waiting) == 0);
    }

    /// <summary>Creates the file in WAL mode and applies pending migrations.</summary>
    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }
        await Migrator.ApplyAsync(connection, SqlDialect.Sqlite, cancellationToken);
    }
}
