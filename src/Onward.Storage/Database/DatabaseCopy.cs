using System.Data.Common;
using System.Text.RegularExpressions;
using Dapper;

namespace Onward.Storage.Database;

/// <summary>
/// Copies everything one Onward database holds into another, empty one (typically from the SQLite file to PostgreSQL):
/// every table in the order the migrations create them, rows with their ids, in one transaction, so that a failure
/// leaves the target as empty as it was. Counts are compared afterwards.
/// </summary>
public static partial class DatabaseCopy
{
    /// <summary>Rows copied and counted per table, in copy order.</summary>
    public sealed record TableCount(string Table, long Source, long Target);

    /// <summary>The tables Onward keeps, parents before children (the order the migrations create them).</summary>
    public static IReadOnlyList<string> Tables { get; } = Migrations.All.SelectMany(m => CreateTable().Matches(m.Sql).Select(x => x.Groups[1].Value)).ToList();

    /// <exception cref="DatabaseStartException">The source is not an Onward database, or the target is not empty (nothing is copied).</exception>
    public static async Task<IReadOnlyList<TableCount>> CopyAsync(OnwardDatabase from, OnwardDatabase to, Action<string> progress, CancellationToken cancellationToken)
    {
        await RequireOnwardSchemaAsync(from, cancellationToken);
        await from.MigrateAsync(cancellationToken);
        await to.MigrateAsync(cancellationToken);
        await using var source = await from.OpenAsync(cancellationToken);
        await using var target = await to.OpenAsync(cancellationToken);
        foreach (var table in Tables)
        {
            var rows = await CountAsync(target, table, null, cancellationToken);
            if (rows > 0)
            {
                throw new DatabaseStartException($"the target already holds {rows} row(s) in {table}; copy only into an empty database (nothing was copied)");
            }
        }
        await using (var transaction = await target.BeginTransactionAsync(cancellationToken))
        {
            foreach (var table in Tables)
            {
                var copied = await CopyTableAsync(source, target, transaction, table, cancellationToken);
                progress($"{table}: {copied} row(s)");
            }
            if (to.Dialect == SqlDialect.Postgres)
            {
                await RestartIdentitiesAsync(target, transaction, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        var counts = new List<TableCount>();
        foreach (var table in Tables)
        {
            counts.Add(new TableCount(table, await CountAsync(source, table, null, cancellationToken), await CountAsync(target, table, null, cancellationToken)));
        }
        return counts;
    }

    /// <summary>A source that is not there, or holds no Onward schema, is a mistake to be told, not an empty database to copy.</summary>
    public static async Task RequireOnwardSchemaAsync(OnwardDatabase from, CancellationToken cancellationToken)
    {
        if (from is SqliteDatabase sqlite && !File.Exists(sqlite.Path))
        {
            throw new DatabaseStartException($"the source {sqlite.Path} does not exist; check the path (nothing was copied)");
        }
        await using var connection = await from.OpenAsync(cancellationToken);
        var schema = await connection.ExecuteScalarAsync<long>(new CommandDefinition(from.Dialect == SqlDialect.Sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'",
            cancellationToken: cancellationToken));
        if (schema == 0)
        {
            throw new DatabaseStartException($"the source {from.Describe} holds no Onward database (it has no schema_migrations table); check the URL (nothing was copied)");
        }
    }

    private static async Task<long> CountAsync(DbConnection connection, string table, DbTransaction? transaction, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM {table}", transaction: transaction, cancellationToken: cancellationToken));

    private static async Task<long> CopyTableAsync(DbConnection source, DbConnection target, DbTransaction transaction, string table, CancellationToken cancellationToken)
    {
        await using var read = source.CreateCommand();
        read.CommandText = $"SELECT * FROM {table}";
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        await using var insert = target.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";
        var parameters = columns.Select((_, i) =>
        {
            var parameter = insert.CreateParameter();
            parameter.ParameterName = "p" + i;
            insert.Parameters.Add(parameter);
            return parameter;
        }).ToList();
        long copied = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            for (var i = 0; i < columns.Count; i++)
            {
                var value = reader.GetValue(i);
                parameters[i].Value = value;
                if (value is DBNull)
                {
                    // Untyped: the target column says what the null is.
                    parameters[i].ResetDbType();
                }
                else
                {
                    parameters[i].DbType = value switch
                    {
                        long or int => System.Data.DbType.Int64,
                        double or float => System.Data.DbType.Double,
                        byte[] => System.Data.DbType.Binary,
                        _ => System.Data.DbType.String,
                    };
                }
            }
            await insert.ExecuteNonQueryAsync(cancellationToken);
            copied++;
        }
        return copied;
    }

    /// <summary>Identity columns count on from the highest copied id, so that new rows do not collide with copied ones.</summary>
    private static async Task RestartIdentitiesAsync(DbConnection target, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var identities = await target.QueryAsync<(string Table, string Column)>(new CommandDefinition("""
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND is_identity = 'YES'
            """, transaction: transaction, cancellationToken: cancellationToken));
        foreach (var (table, column) in identities)
        {
            await target.ExecuteAsync(new CommandDefinition(
                $"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)",
                transaction: transaction, cancellationToken: cancellationToken));
        }
    }

    [GeneratedRegex(@"CREATE TABLE (?:IF NOT EXISTS )?(\w+)")]
    private static partial Regex CreateTable();
}
