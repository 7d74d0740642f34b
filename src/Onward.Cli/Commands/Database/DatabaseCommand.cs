using System.CommandLine;
using System.Text.RegularExpressions;
using Onward.Server.Configuration;
using Onward.Storage.Database;

namespace Onward.Cli.Commands.Database;

/// <summary><c>onward database migrate</c> and <c>onward database copy</c>: the schema without serving, and moving from SQLite to PostgreSQL.</summary>
public static partial class DatabaseCommand
{
    public static Command Create()
    {
        var command = new Command("database", "Apply migrations without serving, or copy everything into an empty database (SQLite to PostgreSQL)");
        command.Subcommands.Add(Migrate());
        command.Subcommands.Add(Copy());
        command.Subcommands.Add(Backup());
        return command;
    }

    private static Command Backup()
    {
        var config = new Option<string>("--config", "-c") { Description = "The configuration file whose server.database is backed up", DefaultValueFactory = _ => ConfigFile.DefaultName };
        var to = new Option<string>("--to") { Description = "The new file to write the copy to", Required = true };
        var backup = new Command("backup", "Copy the SQLite database consistently while the server runs (SQLite's online backup), and say how to restore it");
        backup.Options.Add(config);
        backup.Options.Add(to);
        backup.SetAction(async (result, cancellationToken) =>
        {
            var load = ConfigFile.Load(result.GetValue(config)!);
            if (!load.IsValid)
            {
                load.Problems.ToList().ForEach(p => Console.Error.WriteLine(p));
                return ExitCodes.Failure;
            }
            var url = load.Config!.Server.Database;
            if (!url.StartsWith("sqlite:", StringComparison.Ordinal))
            {
                Console.Error.WriteLine("onward database backup: server.database is PostgreSQL; back it up with PostgreSQL's own tools, consistent while replicas run: "
                    + "pg_dump --format=custom --file=onward.dump \"$DATABASE_URL\" (see the README, Backup and restore)");
                return ExitCodes.Usage;
            }
            return await WithDatabasesAsync("backup", [url], async databases =>
            {
                var sqlite = (SqliteDatabase)databases[0];
                var copied = await SqliteBackup.BackupAsync(sqlite, result.GetValue(to)!, cancellationToken);
                var target = Path.GetFullPath(result.GetValue(to)!);
                Console.WriteLine($"backed up {sqlite.Path} to {target} ({copied.Bytes:N0} bytes, schema version {copied.SchemaVersion}).");
                Console.WriteLine($"To restore: stop Onward, then `cp {target} {sqlite.Path} && rm -f {sqlite.Path}-wal {sqlite.Path}-shm`, and start it again.");
            });
        });
        return backup;
    }

    private static Command Migrate()
    {
        var config = new Option<string>("--config", "-c") { Description = "The configuration file whose server.database is migrated", DefaultValueFactory = _ => ConfigFile.DefaultName };
        var url = new Option<string?>("--database") { Description = "A database URL instead of the configuration's (sqlite:PATH or postgres://…; ${ENV} references are expanded)" };
        var migrate = new Command("migrate", "Create the schema or bring it up to date, then exit (replicas also do this at start, safely at the same time)");
        migrate.Options.Add(config);
        migrate.Options.Add(url);
        migrate.SetAction(async (result, cancellationToken) =>
        {
            string? target;
            try
            {
                target = result.GetValue(url) is { } given ? Expand(given) : null;
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"onward database migrate: {e.Message}");
                return ExitCodes.Usage;
            }
            if (target is null)
            {
                var load = ConfigFile.Load(result.GetValue(config)!);
                if (!load.IsValid)
                {
                    load.Problems.ToList().ForEach(p => Console.Error.WriteLine(p));
                    return ExitCodes.Failure;
                }
                target = load.Config!.Server.Database;
            }
            return await WithDatabasesAsync("migrate", [target], async databases =>
            {
                await databases[0].MigrateAsync(cancellationToken);
                Console.WriteLine($"{databases[0].Describe} is at schema version {Migrations.All[^1].Version}");
            });
        });
        return migrate;
    }

    private static Command Copy()
    {
        var from = new Option<string>("--from") { Description = "The database to copy, e.g. sqlite:onward.db", Required = true };
        var to = new Option<string>("--to")
        {
            Description = "The empty database to copy into, e.g. 'postgres://onward:${ONWARD_DB_PASSWORD}@db:5432/onward' (quoted, so that the password stays off the command line)",
            Required = true,
        };
        var copy = new Command("copy", "Copy everything (releases, deployments and their events, approvals, tokens, audit, deliveries, flags) into an empty database, then compare the counts; stop Onward first");
        copy.Options.Add(from);
        copy.Options.Add(to);
        copy.SetAction(async (result, cancellationToken) =>
        {
            string source, target;
            try
            {
                (source, target) = (Expand(result.GetValue(from)!), Expand(result.GetValue(to)!));
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"onward database copy: {e.Message}");
                return ExitCodes.Usage;
            }
            // Opening an SQLite file that is not there makes an empty one: a mistyped path is told, not copied from.
            if (source.StartsWith("sqlite:", StringComparison.Ordinal) && !File.Exists(source["sqlite:".Length..]))
            {
                Console.Error.WriteLine($"onward database copy: the source {source["sqlite:".Length..]} does not exist; check the path (nothing was copied)");
                return ExitCodes.Failure;
            }
            return await WithDatabasesAsync("copy", [source, target], async databases =>
            {
                var (origin, destination) = (databases[0], databases[1]);
                Console.WriteLine($"copying {origin.Describe} into {destination.Describe}");
                var counts = await DatabaseCopy.CopyAsync(origin, destination, line => Console.WriteLine("  " + line), cancellationToken);
                var mismatches = counts.Where(c => c.Source != c.Target).ToList();
                foreach (var mismatch in mismatches)
                {
                    Console.Error.WriteLine($"onward database copy: {mismatch.Table} has {mismatch.Source} row(s) in the source but {mismatch.Target} in the target");
                }
                if (mismatches.Count > 0)
                {
                    throw new DatabaseStartException("the counts differ after the copy; do not switch to the target");
                }
                Console.WriteLine($"copied {counts.Sum(c => c.Target)} row(s) in {counts.Count} tables; the counts match. Point server.database at the new database and start Onward.");
            });
        });
        return copy;
    }

    /// <summary>Opens the databases <paramref name="urls"/> name, runs <paramref name="action"/> on them and turns what goes wrong into a message and an exit code.</summary>
    private static async Task<int> WithDatabasesAsync(string verb, string[] urls, Func<IReadOnlyList<OnwardDatabase>, Task> action)
    {
        var databases = new List<OnwardDatabase>();
        try
        {
            foreach (var url in urls)
            {
                try
                {
                    databases.Add(OnwardDatabase.FromUrl(url));
                }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine($"onward database {verb}: {e.Message}");
                    return ExitCodes.Usage;
                }
                if (databases[^1] is PostgresDatabase postgres)
                {
                    postgres.Waiting += message => Console.Error.WriteLine("onward: " + message);
                }
            }
            await action(databases);
            return ExitCodes.Success;
        }
        catch (DatabaseStartException e)
        {
            Console.Error.WriteLine($"onward database {verb}: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (System.Data.Common.DbException e)
        {
            Console.Error.WriteLine($"onward database {verb}: {string.Join(" or ", databases.Select(d => d.Describe))} answered: {e.Message}");
            return ExitCodes.Failure;
        }
        finally
        {
            databases.ForEach(d => d.Dispose());
        }
    }

    /// <summary>Expands <c>${NAME}</c> from the environment, as onward.yaml does, so that secrets need not be typed on the command line.</summary>
    private static string Expand(string text) => Reference().Replace(text, m =>
        Environment.GetEnvironmentVariable(m.Groups[1].Value) ?? throw new ArgumentException($"${{{m.Groups[1].Value}}} is not set in the environment"));

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Reference();
}
