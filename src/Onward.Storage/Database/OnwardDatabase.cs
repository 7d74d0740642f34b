using System.Data.Common;
using Dapper;

namespace Onward.Storage.Database;

/// <summary>The SQL a database speaks where SQLite and PostgreSQL differ.</summary>
public enum SqlDialect
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Onward's database: the embedded SQLite file (<c>sqlite:PATH</c>) or a PostgreSQL server that several replicas share
/// (<c>postgres://user:password@host:5432/name</c>). Stores read through <see cref="OpenAsync"/> and write in a
/// <see cref="WriteScope"/>; the statements they run are the same on both, with the few differences asked of
/// <see cref="Dialect"/>.
/// </summary>
public abstract class OnwardDatabase : IDisposable
{
    public abstract SqlDialect Dialect { get; }

    /// <summary>Where the data is, for people: the file, or the server and database without credentials.</summary>
    public abstract string Describe { get; }

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>A write transaction of the caller's own; <see cref="WriteScope.CommitAsync"/> returns once it is durable.</summary>
    public abstract Task<WriteScope> BeginWriteAsync(CancellationToken cancellationToken);

    /// <summary>Creates the schema or brings it up to date; safe when several processes start at once.</summary>
    public abstract Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>This process's database, named in what it tells other replicas, so that it passes over its own notifications.</summary>
    public string Origin { get; } = Guid.NewGuid().ToString("N")[..12];

    /// <summary>
    /// Makes whoever changes <paramref name="name"/> take turns across every process sharing the database, until the
    /// answer is disposed (a read, a decision on it and a write, which one transaction's locks would not cover). With
    /// SQLite one process serves the database, and its own locks suffice: there is nothing to take.
    /// </summary>
    public virtual Task<IAsyncDisposable> LockAsync(string name, CancellationToken cancellationToken) => Task.FromResult<IAsyncDisposable>(NoLock.Instance);

    /// <summary>A subquery of the texts in a JSON array passed as <paramref name="parameter"/> (one column, <c>value</c>).</summary>
    public string JsonTexts(string parameter) => Dialect == SqlDialect.Sqlite
        ? $"SELECT value FROM json_each({parameter})"
        : $"SELECT json_array_elements_text(CAST({parameter} AS json)) AS value";

    /// <summary>
    /// What a claiming subquery ends with: on PostgreSQL, <c>FOR UPDATE SKIP LOCKED</c>, so that replicas claiming at the
    /// same time each take other rows; SQLite has one writer at a time and needs nothing.
    /// </summary>
    public string SkipLocked => Dialect == SqlDialect.Postgres ? " FOR UPDATE SKIP LOCKED" : "";

    /// <summary>As <see cref="SkipLocked"/> for a subquery that joins: locks the rows of <paramref name="alias"/> only.</summary>
    public string SkipLockedOf(string alias) => Dialect == SqlDialect.Postgres ? $" FOR UPDATE OF {alias} SKIP LOCKED" : "";

    /// <summary>
    /// Whether <paramref name="sql"/> (a <c>SELECT 1 … LIMIT 1</c>) finds a row: a worker looks before it writes, so that
    /// an idle one only reads.
    /// </summary>
    public async Task<bool> AnyAsync(string sql, object? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)) is not null;
    }

    /// <summary>
    /// What a read ends with when the transaction decides on what it read (a decision on a deployment): on PostgreSQL,
    /// <c>FOR UPDATE</c>, so that racing transactions take turns on that row as SQLite's single writer makes them do.
    /// </summary>
    public string ForUpdate => Dialect == SqlDialect.Postgres ? " FOR UPDATE" : "";

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>The database <c>server.database</c> names: <c>sqlite:PATH</c>, or <c>postgres://…</c> / <c>postgresql://…</c>.</summary>
    public static OnwardDatabase FromUrl(string url) =>
        url.StartsWith("sqlite:", StringComparison.Ordinal) ? SqliteDatabase.FromUrl(url)
        : url.StartsWith("postgres://", StringComparison.Ordinal) || url.StartsWith("postgresql://", StringComparison.Ordinal) ? PostgresDatabase.FromUrl(url)
        : throw new ArgumentException("the database URL is neither sqlite:PATH nor postgres://… (write it like sqlite:onward.db)");
}

/// <summary>The lock of a database that needs none.</summary>
internal sealed class NoLock : IAsyncDisposable
{
    public static readonly NoLock Instance = new();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
