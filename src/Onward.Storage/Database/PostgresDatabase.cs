using System.Data.Common;
using System.Net.Sockets;
using Npgsql;

namespace Onward.Storage.Database;

/// <summary>
/// A PostgreSQL database that any number of Onward replicas share. Every writer has a transaction of its own on a
/// pooled connection; PostgreSQL commits it durably. Migrations take an advisory lock, so replicas starting together
/// apply each migration once.
/// </summary>
public sealed class PostgresDatabase : OnwardDatabase
{
    /// <summary>The advisory lock migrations hold (any number that other software on the database is unlikely to use).</summary>
    private const long MigrationLock = 0x6f6e77617264;

    /// <summary>The first key of <see cref="LockAsync"/>'s locks, whose two-key space is apart from single-key locks.</summary>
    private const int NamedLocks = 0x6f6e;

    private readonly NpgsqlDataSource _source;
    private readonly string _connectionString;

    public PostgresDatabase(string connectionString, string describe)
    {
        _connectionString = connectionString;
        _source = NpgsqlDataSource.Create(connectionString);
        Describe = describe;
    }

    public override SqlDialect Dialect => SqlDialect.Postgres;

    public override string Describe { get; }

    /// <summary>
    /// Parses <c>postgres://user:password@host:port/database?sslmode=require</c> (or <c>postgresql://</c>); user, password
    /// and database may be percent-encoded. Throws <see cref="ArgumentException"/> naming what is wrong, never the password.
    /// </summary>
    public static new PostgresDatabase FromUrl(string url) => new(ConnectionString(url), DescribeUrl(url));

    public static string ConnectionString(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql") || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException("a PostgreSQL URL reads postgres://USER:PASSWORD@HOST:5432/DATABASE");
        }
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } name ? name : "postgres",
            ApplicationName = "onward",
            MaxPoolSize = 50,
            Timeout = 15,
            CommandTimeout = 60,
        };
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = pair.IndexOf('=', StringComparison.Ordinal) is var at and >= 0
                ? (Uri.UnescapeDataString(pair[..at]), Uri.UnescapeDataString(pair[(at + 1)..]))
                : (Uri.UnescapeDataString(pair), "");
            switch (key)
            {
                case "sslmode":
                    builder.SslMode = value switch
                    {
                        "disable" => SslMode.Disable,
                        "allow" => SslMode.Allow,
                        "prefer" => SslMode.Prefer,
                        "require" => SslMode.Require,
                        "verify-ca" => SslMode.VerifyCA,
                        "verify-full" => SslMode.VerifyFull,
                        _ => throw new ArgumentException($"sslmode '{value}' is unknown; use disable, allow, prefer, require, verify-ca or verify-full"),
                    };
                    break;
                case "pool":
                    builder.MaxPoolSize = int.TryParse(value, out var pool) && pool is > 0 and <= 1000 ? pool : throw new ArgumentException("pool is a number of connections from 1 to 1000");
                    break;
                default:
                    throw new ArgumentException($"the PostgreSQL URL's option '{key}' is unknown; Onward reads sslmode and pool");
            }
        }
        return builder.ConnectionString;
    }

    /// <summary>The URL without its password, for messages and logs.</summary>
    public static string DescribeUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? $"{uri.Scheme}://{(uri.UserInfo.Length > 0 ? Uri.UnescapeDataString(uri.UserInfo.Split(':')[0]) + "@" : "")}{uri.Host}{(uri.IsDefaultPort || uri.Port <= 0 ? "" : ":" + uri.Port)}{uri.AbsolutePath}"
            : "(an unreadable PostgreSQL URL)";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await _source.OpenConnectionAsync(cancellationToken);

    /// <summary>A connection of its own, outside the pool, for <c>LISTEN</c>: it stays open as long as the listener runs.</summary>
    public async Task<DbConnection> OpenListenerAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false, KeepAlive = 30 }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    public override async Task<WriteScope> BeginWriteAsync(CancellationToken cancellationToken)
    {
        var connection = await _source.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            return new WriteScope(
                connection,
                transaction,
                async keep =>
                {
                    if (keep)
                    {
                        await transaction.CommitAsync(CancellationToken.None);
                    }
                    else if (connection.FullState.HasFlag(System.Data.ConnectionState.Open) && !connection.FullState.HasFlag(System.Data.ConnectionState.Broken))
                    {
                        await transaction.RollbackAsync(CancellationToken.None);
                    }
                    // A connection that broke took its transaction with it: there is nothing to roll back, and trying
                    // would hide the error that broke it behind one about the transaction.
                },
                async () =>
                {
                    await transaction.DisposeAsync();
                    await connection.DisposeAsync();
                });
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A session advisory lock on a connection of its own, given back when disposed (or by the server when the connection is lost).</summary>
    public override async Task<IAsyncDisposable> LockAsync(string name, CancellationToken cancellationToken)
    {
        var connection = await _source.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var take = connection.CreateCommand();
            take.CommandText = $"SELECT pg_advisory_lock({NamedLocks}, hashtext(@name))";
            take.Parameters.AddWithValue("name", name);
            await take.ExecuteNonQueryAsync(cancellationToken);
            return new SessionLock(connection, name);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class SessionLock(NpgsqlConnection connection, string name) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var release = connection.CreateCommand();
                release.CommandText = $"SELECT pg_advisory_unlock({NamedLocks}, hashtext(@name))";
                release.Parameters.AddWithValue("name", name);
                await release.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // The connection is gone (or broke), and the server gave the lock up with it.
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Applies pending migrations under an advisory lock. A server that cannot be reached yet is asked again, every
    /// two seconds for up to a minute, with a message each time, before this gives up with the reason.
    /// </summary>
    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenPatientlyAsync(cancellationToken);
        await using (var take = connection.CreateCommand())
        {
            take.CommandText = $"SELECT pg_advisory_lock({MigrationLock})";
            await take.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            await Migrator.ApplyAsync(connection, SqlDialect.Postgres, cancellationToken);
        }
        finally
        {
            await using var release = connection.CreateCommand();
            release.CommandText = $"SELECT pg_advisory_unlock({MigrationLock})";
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>How long <see cref="MigrateAsync"/> waits for a server that is down at start: a minute, or <c>ONWARD_DATABASE_WAIT</c> (e.g. <c>5m</c>).</summary>
    public static TimeSpan StartupPatience =>
        Environment.GetEnvironmentVariable("ONWARD_DATABASE_WAIT") is { Length: > 0 } wait && Onward.Core.Configuration.DurationText.TryParse(wait, out var patience)
            ? patience
            : TimeSpan.FromMinutes(1);

    /// <summary>Told about each failed attempt to reach the server at start (the reason, never the password).</summary>
    public event Action<string>? Waiting;

    private async Task<NpgsqlConnection> OpenPatientlyAsync(CancellationToken cancellationToken)
    {
        var until = DateTimeOffset.UtcNow + StartupPatience;
        while (true)
        {
            try
            {
                return await _source.OpenConnectionAsync(cancellationToken);
            }
            catch (Exception e) when (e is NpgsqlException { IsTransient: true } or SocketException or TimeoutException)
            {
                if (DateTimeOffset.UtcNow >= until)
                {
                    throw new DatabaseStartException(
                        $"PostgreSQL at {Describe} cannot be reached ({e.Message}), waited {StartupPatience.TotalSeconds:0} s; start it, check server.database, or wait longer with ONWARD_DATABASE_WAIT", e);
                }
                Waiting?.Invoke($"PostgreSQL at {Describe} cannot be reached yet ({e.Message}); trying again in 2 s");
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
            catch (PostgresException e)
            {
                throw new DatabaseStartException($"PostgreSQL at {Describe} refused Onward: {e.MessageText} ({e.SqlState}); check the user, password and database in server.database", e);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source.Dispose();
        }
        base.Dispose(disposing);
    }
}
