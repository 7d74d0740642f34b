using Dapper;
using Microsoft.Data.Sqlite;

namespace Onward.Storage.Database;

/// <summary>
/// A consistent copy of an SQLite database while a server writes to it, through SQLite's online backup: the copy is
/// the database as it was at one moment, whatever the server did meanwhile. It is written aside and renamed into
/// place once SQLite's integrity check passes on it, so that a file at the target's name is always a whole backup.
/// </summary>
public static class SqliteBackup
{
    /// <summary>What was copied: the file's size and the schema version it holds.</summary>
    public sealed record Copied(long Bytes, long SchemaVersion);

    /// <exception cref="DatabaseStartException">The source is no Onward database, the target exists, or the copy is not whole (nothing is left at the target).</exception>
    public static async Task<Copied> BackupAsync(SqliteDatabase database, string to, CancellationToken cancellationToken)
    {
        var target = Path.GetFullPath(to);
        if (File.Exists(target))
        {
            throw new DatabaseStartException($"{target} exists; back up to a new file (nothing was written)");
        }
        await DatabaseCopy.RequireOnwardSchemaAsync(database, cancellationToken);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var aside = target + ".partial";
        File.Delete(aside);
        try
        {
            await using (var source = (SqliteConnection)await database.OpenAsync(cancellationToken))
            await using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = aside, Pooling = false }.ToString()))
            {
                await copy.OpenAsync(cancellationToken);
                source.BackupDatabase(copy);
            }
            long schema;
            await using (var check = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = aside, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString()))
            {
                await check.OpenAsync(cancellationToken);
                var integrity = await check.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA integrity_check", cancellationToken: cancellationToken));
                if (integrity != "ok")
                {
                    throw new DatabaseStartException($"the copy failed SQLite's integrity check ({integrity}); nothing was kept");
                }
                schema = await check.ExecuteScalarAsync<long>(new CommandDefinition("SELECT MAX(version) FROM schema_migrations", cancellationToken: cancellationToken));
            }
            File.Move(aside, target);
            return new Copied(new FileInfo(target).Length, schema);
        }
        finally
        {
            File.Delete(aside);
        }
    }
}
