using System.Data.Common;

namespace Onward.Storage.Database;

/// <summary>
/// A write transaction that holds this process's write turn. Writers of one server queue here, without SQLite's
/// sleeping busy handler; writers of other servers still wait on the file lock.
/// </summary>
public sealed class WriteScope(DbConnection connection, DbTransaction transaction, SemaphoreSlim turn) : IAsyncDisposable
{
    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    public Task CommitAsync(CancellationToken cancellationToken) => Transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
        finally
        {
            turn.Release();
        }
    }
}
