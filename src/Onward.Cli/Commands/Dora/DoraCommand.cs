using System.CommandLine;
using Onward.Contracts.Insight;
using Onward.Core.Configuration;
using Spectre.Console;

namespace Onward.Cli.Commands.Dora;

public static class DoraCommand
{
    public static Command Create()
    {
        var environment = new Option<string>("--env", "-e") { Description = "The environment measured, e.g. prod", Required = true };
        var days = new Option<int>("--days", "-d") { Description = "The window, in days up to now (1 to 365)", DefaultValueFactory = _ => 30 };
        var service = new Option<string?>("--service", "-s") { Description = "Only this service" };
        var command = new Command("dora", "The four DORA measures of an environment: deployment frequency, lead time for changes, change failure rate, time to restore");
        foreach (var option in new Option[] { environment, days, service })
        {
            command.Options.Add(option);
        }
        command.SetApiAction(async (result, client, cancellationToken) =>
        {
            var query = ApiCommand.WithQuery($"api/v1/dora?days={result.GetValue(days)}", ("environment", result.GetValue(environment)), ("service", result.GetValue(service)));
            var (report, raw) = await client.GetAsync<DoraResponse>(query, cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            AnsiConsole.MarkupLine($"[bold]{ApiCommand.Escape(report.Environment)}[/], the last {report.Days} days ({report.From.ToLocalTime():yyyy-MM-dd HH:mm} to {report.To.ToLocalTime():yyyy-MM-dd HH:mm})");
            var table = new Table().Border(TableBorder.Simple)
                .AddColumns("SERVICE", "DEPLOYMENTS", "PER DAY", "LEAD TIME p50 / p90", "CHANGE FAILURE RATE", "TIME TO RESTORE p50 / p90");
            foreach (var m in report.Services.Append(report.Overall))
            {
                table.AddRow(m.Service is null ? "[bold]all[/]" : ApiCommand.Escape(m.Service), m.Deployments.ToString(),
                    $"{m.DeploymentsPerDay:0.##} {Band(m.FrequencyBand)}",
                    Durations(m.LeadTime),
                    m.ChangeFailureRate is { } rate ? $"{rate:0.#%} ({m.FailedChanges} of {m.Changes}) {Band(m.ChangeFailureBand)}" : "-",
                    Durations(m.TimeToRestore));
            }
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Durations(DoraDurationResponse d) => d.MedianSeconds is { } median
        ? $"{Format(median)} / {Format(d.P90Seconds!.Value)} ({d.Samples}) {Band(d.Band)}"
        : "-";

    private static string Format(double seconds) => DurationText.Format(TimeSpan.FromSeconds(Math.Round(seconds)));

    private static string Band(string? band) => band switch
    {
        "elite" => "[green]elite[/]",
        "high" => "[green]high[/]",
        "medium" => "[yellow]medium[/]",
        "low" => "[red]low[/]",
        _ => "",
    };
}
