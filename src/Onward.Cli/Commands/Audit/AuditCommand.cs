using System.CommandLine;
using Onward.Contracts.Audit;
using Spectre.Console;

namespace Onward.Cli.Commands.Audit;

public static class AuditCommand
{
    public static Command Create()
    {
        var service = new Option<string?>("--service", "-s") { Description = "Only this service's deployments" };
        var environment = new Option<string?>("--env", "-e") { Description = "Only this environment" };
        var actor = new Option<string?>("--actor") { Description = "Only what this person (or `onward`) did" };
        var limit = new Option<int>("--limit", "-n") { Description = "How many, newest first", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "The audit trail: requests, approvals, rejections, overrides, freezes, supersessions, state changes, tokens");
        foreach (var option in new Option[] { service, environment, actor, limit })
        {
            list.Options.Add(option);
        }
        list.SetApiAction(async (result, client, cancellationToken) =>
        {
            var query = ApiCommand.WithQuery($"api/v1/audit?limit={result.GetValue(limit)}",
                ("service", result.GetValue(service)), ("environment", result.GetValue(environment)), ("actor", result.GetValue(actor)));
            var (entries, raw) = await client.GetAsync<AuditEntryResponse[]>(query, cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Simple).AddColumns("AT", "ACTOR", "ACTION", "WHERE", "DEPLOYMENT", "WHAT");
            foreach (var e in entries)
            {
                var where = string.Join(" ", new[] { e.Service, e.Environment }.Where(x => x is not null));
                table.AddRow(e.At.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"), ApiCommand.Escape(e.Actor), ApiCommand.Escape(e.Action), ApiCommand.Escape(where),
                    e.DeploymentId?.ToString() ?? "", ApiCommand.Escape(e.Message));
            }
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        var command = new Command("audit", "Who did what, when and why");
        command.Subcommands.Add(list);
        return command;
    }
}
