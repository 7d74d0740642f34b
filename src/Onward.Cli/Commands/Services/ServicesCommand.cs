using Onward.Contracts.Deployments;
using System.CommandLine;
using Onward.Cli.Commands.Releases;
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
                .AddColumns("SERVICE", "LATEST BUILD", "ENVIRONMENT", "CURRENT", "SINCE", "LAST DEPLOYMENT", "DRIFT", "URL");
            foreach (var service in services)
            {
                var first = true;
                foreach (var environment in service.Environments)
                {
                    table.AddRow(
                        ApiCommand.Escape(service.Name) + (first && service.Warnings.Count > 0 ? " [yellow]⚠[/]" : ""),
                        first ? Build(service.LatestBuild) : "",
                        ApiCommand.Escape(environment.Name),
                        environment.Current is { } c ? ApiCommand.Escape(c.Version) : "[grey]-[/]",
                        environment.Current is { } since ? since.DeployedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss") : "",
                        environment.Last is { } last ? $"#{last.Id} {ApiCommand.Escape(last.Version)} {StateMarkup(last.State)}" : "[grey]-[/]",
                        environment.Drift is { } drift ? $"[yellow]drifted[/] ({drift.Count})" : "",
                        ApiCommand.Escape(environment.Url));
                    first = false;
                }
            }
            AnsiConsole.Write(table);
            // What keeps a service from building is said in full, below the table, where it cannot be missed.
            foreach (var service in services)
            {
                foreach (var warning in service.Warnings)
                {
                    AnsiConsole.MarkupLine($"[yellow]warning:[/] {ApiCommand.Escape(service.Name)}: {ApiCommand.Escape(warning)}");
                }
                if (service.LatestBuild is { State: "BuildFailed" } failed)
                {
                    AnsiConsole.MarkupLine($"[red]build failed:[/] {ApiCommand.Escape(service.Name)} {ApiCommand.Escape(failed.Version)}: " +
                        $"{ApiCommand.Escape(ReleasesCommand.FirstLine(failed.Failure ?? "", 120))} [grey](onward releases log {failed.ReleaseId})[/]");
                }
            }
            return ExitCodes.Success;
        });
        var command = new Command("services", "Services and what runs where");
        command.Subcommands.Add(list);
        return command;
    }

    private static string Build(ServiceBuildResponse? build) =>
        build is null ? "[grey]none yet[/]" : $"{ApiCommand.Escape(build.Version)} {ReleasesCommand.BuildMarkup(build.State)}";

    public static string StateMarkup(DeploymentState state) => state switch
    {
        DeploymentState.Succeeded => "[green]Succeeded[/]",
        DeploymentState.Failed or DeploymentState.Blocked or DeploymentState.Rejected => $"[red]{state}[/]",
        DeploymentState.Superseded or DeploymentState.Cancelled => $"[grey]{state}[/]",
        _ => $"[yellow]{state}[/]",
    };
}
