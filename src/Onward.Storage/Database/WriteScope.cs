using System.Data.Common;

namespace Onward.Storage.Database;

/// <summary>
/// One writer's transaction: its statements run on <see cref="Connection"/> in <see cref="Transaction"/> (with SQLite,
/// a savepoint of its own in a transaction writers share). <see cref="CommitAsync"/> returns once the work is
/// committed to disk; disposing without committing undoes this writer's statements only. Whatever the writer wants to
/// read back, it reads before committing: with SQLite, the connection belongs to the next writer from then on.
/// </summary>
public sealed class WriteScope(DbConnection connection, DbTransaction transaction, Func<bool, Task> end, Func<ValueTask>? release = null) : IAsyncDisposable
{
    private bool _ended;

    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return;
        }
        _ended = true;
        await end(true);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_ended)
            {
                _ended = true;
                await end(false);
            }
        }
        finally
        {
            if (release is not null)
            {
                await release();
            }
        }
    }
}
