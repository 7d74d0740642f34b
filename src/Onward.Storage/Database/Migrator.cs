using System.Data.Common;
using Dapper;

namespace Onward.Storage.Database;

/// <summary>Applies the migrations a database lacks, each in its own transaction, in order.</summary>
public static class Migrator
{
    public static async Task ApplyAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
            cancellationToken: cancellationToken));
        var applied = (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT version FROM schema_migrations", cancellationToken: cancellationToken))).ToHashSet();
        var newest = applied.Count == 0 ? 0 : applied.Max();
        if (newest > Migrations.All[^1].Version)
        {
            throw new InvalidOperationException(
                $"The database has schema version {newest}, newer than this Onward knows ({Migrations.All[^1].Version}); upgrade Onward or use another database file.");
        }
        foreach (var migration in Migrations.All.Where(m => !applied.Contains(m.Version)))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @At)",
                new { migration.Version, migration.Name, At = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
                transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }
    }
}
