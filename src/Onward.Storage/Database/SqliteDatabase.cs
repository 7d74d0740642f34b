using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Onward.Storage.Database;

/// <summary>
/// Onward's embedded database: one SQLite file in WAL mode. Writes take the file's write lock at <c>BEGIN</c>
/// (Microsoft.Data.Sqlite starts transactions IMMEDIATE), so concurrent writers queue instead of deadlocking on upgrade.
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeTurn = new(1, 1);

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

    public void Dispose() => _writeTurn.Dispose();

    /// <summary>Parses <c>sqlite:PATH</c>.</summary>
    public static SqliteDatabase FromUrl(string url) =>
        url.StartsWith("sqlite:", StringComparison.Ordinal)
            ? new SqliteDatabase(url["sqlite:".Length..])
            : throw new ArgumentException($"'{url}' is not a sqlite: database URL", nameof(url));

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
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

    /// <summary>Opens a connection with a write transaction, after this process's other writers.</summary>
    public async Task<WriteScope> BeginWriteAsync(CancellationToken cancellationToken)
    {
        await _writeTurn.WaitAsync(cancellationToken);
        DbConnection? connection = null;
        try
        {
            connection = await OpenAsync(cancellationToken);
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            return new WriteScope(connection, transaction, _writeTurn);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
            _writeTurn.Release();
            throw;
        }
    }

    /// <summary>Creates the file in WAL mode and applies pending migrations.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }
        await Migrator.ApplyAsync(connection, cancellationToken);
    }
}
