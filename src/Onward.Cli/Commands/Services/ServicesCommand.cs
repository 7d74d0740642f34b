using Onward.Contracts.Deployments;
using System.CommandLine;
using Onward.Contracts.Services;
using Spectre.Console;

namespace Onward.Cli.Commands.Services;

public static class ServicesCommand
{
    public static Command Create()
    {
        var list = new Command("list", "Services with the release each environment runs and its last deployment");
        list.SetApiAction(async (result, client, cancellationToken) =>
        {
            var (services, raw) = await client.GetAsync<ServiceResponse[]>("api/v1/services", cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Simple)
                .AddColumns("SERVICE", "ENVIRONMENT", "CURRENT", "SINCE", "LAST DEPLOYMENT", "DRIFT", "URL");
            foreach (var service in services)
            {
                foreach (var environment in service.Environments)
                {
                    table.AddRow(
                        ApiCommand.Escape(service.Name),
                        ApiCommand.Escape(environment.Name),
                        environment.Current is { } c ? ApiCommand.Escape(c.Version) : "[grey]-[/]",
                        environment.Current is { } since ? since.DeployedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss") : "",
                        environment.Last is { } last ? $"#{last.Id} {ApiCommand.Escape(last.Version)} {StateMarkup(last.State)}" : "[grey]-[/]",
                        environment.Drift is { } drift ? $"[yellow]drifted[/] ({drift.Count})" : "",
                        ApiCommand.Escape(environment.Url));
                }
            }
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        var command = new Command("services", "Services and what runs where");
        command.Subcommands.Add(list);
        return command;
    }

    public static string StateMarkup(DeploymentState state) => state switch
    {
        DeploymentState.Succeeded => "[green]Succeeded[/]",
        DeploymentState.Failed or DeploymentState.Blocked or DeploymentState.Rejected => $"[red]{state}[/]",
        DeploymentState.Superseded or DeploymentState.Cancelled => $"[grey]{state}[/]",
        _ => $"[yellow]{state}[/]",
    };
}
