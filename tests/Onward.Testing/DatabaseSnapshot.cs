using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Onward.Testing;

/// <summary>
/// What an Onward SQLite file holds, as one fingerprint per table, to show that a stretch of requests wrote nothing.
/// The job queue's leases and the poller's read times change by themselves and are left out.
/// </summary>
public static class DatabaseSnapshot
{
    private static readonly string[] Moving = ["jobs", "source_reads", "schema_migrations", "sqlite_sequence"];

    /// <summary>
    /// A snapshot once the server writing the file has settled: what it does shortly after a change is done when no
    /// event waits for the notification outbox to fan it out (its worker looks every second, later on a loaded machine)
    /// and two snapshots taken 1.5 s apart agree.
    /// </summary>
    public static async Task<Dictionary<string, string>> SettledAsync(string databaseFile)
    {
        var last = await TakeAsync(databaseFile);
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            var now = await TakeAsync(databaseFile);
            if (now.Count == last.Count && now.All(t => last.GetValueOrDefault(t.Key) == t.Value) && await UnfannedEventsAsync(databaseFile) == 0)
            {
                return now;
            }
            last = now;
        }
        throw new TimeoutException($"{databaseFile} kept changing for 30 s");
    }

    private static async Task<long> UnfannedEventsAsync(string databaseFile)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databaseFile, Mode = SqliteOpenMode.ReadOnly }.ToString());
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM notification_events WHERE fanned_out = 0";
        return (long)(await count.ExecuteScalarAsync())!;
    }

    public static async Task<Dictionary<string, string>> TakeAsync(string databaseFile)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databaseFile, Mode = SqliteOpenMode.ReadOnly }.ToString());
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        var snapshot = new Dictionary<string, string>();
        foreach (var table in tables.Except(Moving))
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\" ORDER BY rowid";
            await using var reader = await select.ExecuteReaderAsync();
            var text = new StringBuilder();
            var rows = 0;
            while (await reader.ReadAsync())
            {
                rows++;
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(reader.IsDBNull(i) ? "∅" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('\u001f');
                }
                text.Append('\n');
            }
            snapshot[table] = $"{rows} rows, {Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16]}";
        }
        return snapshot;
    }
}
