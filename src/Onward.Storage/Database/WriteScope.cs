using System.Data.Common;

namespace Onward.Storage.Database;

/// <summary>
/// One writer's part of a write transaction: its statements run on <see cref="Connection"/> in <see cref="Transaction"/>,
/// inside a savepoint of its own. <see cref="CommitAsync"/> returns once the work is committed to disk; disposing
/// without committing undoes this writer's statements only.
/// </summary>
public sealed class WriteScope : IAsyncDisposable
{
    private readonly SqliteDatabase _database;
    private bool _ended;

    internal WriteScope(SqliteDatabase database, WriteBatch batch, string savepoint)
    {
        _database = database;
        Batch = batch;
        Savepoint = savepoint;
    }

    public DbConnection Connection => Batch.Connection;

    public DbTransaction Transaction => Batch.Transaction;

    internal WriteBatch Batch { get; }

    internal string Savepoint { get; }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return;
        }
        _ended = true;
        await _database.EndAsync(this, keep: true);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ended)
        {
            return;
        }
        _ended = true;
        await _database.EndAsync(this, keep: false);
    }
}
