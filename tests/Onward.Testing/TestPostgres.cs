using System.Diagnostics;
using Npgsql;
using Onward.Storage.Database;

namespace Onward.Testing;

/// <summary>
/// The PostgreSQL the tests use: <c>ONWARD_TEST_POSTGRES</c> (a server URL) when set, otherwise the local cluster
/// <c>scripts/postgres.sh</c> starts (once per test process, idempotently). Each test gets a database of its own.
/// </summary>
public static class TestPostgres
{
    private static readonly Lazy<Task<string>> Server = new(StartAsync);

    /// <summary>A new, empty database on the test server; dropped when disposed.</summary>
    public static async Task<TestPostgresDatabase> CreateDatabaseAsync()
    {
        var server = await Server.Value;
        var name = "onward_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(PostgresDatabase.ConnectionString(server)))
        {
            await connection.OpenAsync();
            await using var create = connection.CreateCommand();
            create.CommandText = $"CREATE DATABASE {name}";
            await create.ExecuteNonQueryAsync();
        }
        var builder = new UriBuilder(server) { Path = "/" + name };
        return new TestPostgresDatabase(server, name, builder.Uri.ToString());
    }

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("ONWARD_TEST_POSTGRES") is { Length: > 0 } external)
        {
            return external;
        }
        var script = Path.Combine(Paths.RepositoryRoot, "scripts", "postgres.sh");
        using var process = Process.Start(new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/postgres.sh failed ({process.ExitCode}): {await error}");
        }
        return (await output).Trim();
    }
}

/// <summary>A database of one test's own on the test server.</summary>
public sealed class TestPostgresDatabase(string server, string name, string url) : IAsyncDisposable
{
    /// <summary><c>postgres://…/NAME</c>, as <c>server.database</c> takes it.</summary>
    public string Url { get; } = url;

    /// <summary>An onward.yaml made by <see cref="TestConfig.Yaml"/>, with its SQLite database swapped for this one.</summary>
    public string Use(string yaml) => yaml.Replace(TestConfig.SqliteDatabase, $"database: \"{Url}\"", StringComparison.Ordinal);

    /// <summary>Runs one statement in this database (a test standing in for another replica); answers the rows changed.</summary>
    public async Task<int> ExecuteAsync(string sql, IReadOnlyDictionary<string, object> parameters)
    {
        await using var connection = new NpgsqlConnection(PostgresDatabase.ConnectionString(Url));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (key, value) in parameters)
        {
            command.Parameters.AddWithValue(key, value);
        }
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>Ends every connection to this database, as a failover or a network cut does; answers how many were ended.</summary>
    public async Task<int> TerminateConnectionsAsync()
    {
        await using var connection = new NpgsqlConnection(PostgresDatabase.ConnectionString(server));
        await connection.OpenAsync();
        await using var terminate = connection.CreateCommand();
        terminate.CommandText = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @name AND pid <> pg_backend_pid()";
        terminate.Parameters.AddWithValue("name", name);
        return Convert.ToInt32(await terminate.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(PostgresDatabase.ConnectionString(server));
        await connection.OpenAsync();
        await using var drop = connection.CreateCommand();
        drop.CommandText = $"DROP DATABASE IF EXISTS {name} WITH (FORCE)";
        await drop.ExecuteNonQueryAsync();
    }
}
