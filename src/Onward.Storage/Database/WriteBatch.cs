using System.Data.Common;

namespace Onward.Storage.Database;

/// <summary>
/// One transaction shared by writers that took their turns back to back, each in a savepoint. It commits once for all
/// of them; if the commit fails, every writer in it learns so.
/// </summary>
internal sealed class WriteBatch(DbConnection connection, DbTransaction transaction)
{
    private readonly TaskCompletionSource _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? _failure;
    private int _next;

    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    /// <summary>How many writers have joined.</summary>
    public int Writers => _next;

    /// <summary>Completes when the transaction is committed, or fails with the reason it was not.</summary>
    public Task Committed => _committed.Task;

    public static async Task<WriteBatch> BeginAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            return new WriteBatch(connection, await connection.BeginTransactionAsync(cancellationToken));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A savepoint for the next writer.</summary>
    public string Enter()
    {
        var name = "w" + ++_next;
        Transaction.Save(name);
        return name;
    }

    public void Release(string savepoint) => Transaction.Release(savepoint);

    /// <summary>Undoes one writer's work and leaves the others'.</summary>
    public void Undo(string savepoint)
    {
        Transaction.Rollback(savepoint);
        Transaction.Release(savepoint);
    }

    /// <summary>Something went wrong that leaves the transaction in doubt: it is rolled back instead of committed.</summary>
    public void Fail(Exception e) => _failure ??= e;

    public async Task CommitAsync()
    {
        try
        {
            if (_failure is not null)
            {
                await Transaction.RollbackAsync();
                _committed.TrySetException(new InvalidOperationException("a write shared with this one failed, and both were undone", _failure));
                return;
            }
            await Transaction.CommitAsync();
            _committed.TrySetResult();
        }
        catch (Exception e)
        {
            _committed.TrySetException(e);
        }
        finally
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }
}
