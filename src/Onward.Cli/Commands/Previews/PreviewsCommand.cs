using System.CommandLine;
using Onward.Contracts.Previews;
using Onward.Core.Configuration;
using Spectre.Console;

namespace Onward.Cli.Commands.Previews;

public static class PreviewsCommand
{
    public static Command Create()
    {
        var command = new Command("previews", "Pull requests' preview environments");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Destroy());
        return command;
    }

    private static Command List()
    {
        var service = new Option<string>("--service") { Description = "Only this service's previews" };
        var list = new Command("list", "The live previews: pull request, branch, commit, URL, state, age and time left");
        list.Options.Add(service);
        list.SetApiAction(async (result, client, cancellationToken) =>
        {
            var path = "api/v1/previews" + (result.GetValue(service) is { } only ? "?service=" + Uri.EscapeDataString(only) : "");
            var (previews, raw) = await client.GetAsync<PreviewResponse[]>(path, cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            if (previews.Length == 0)
            {
                Console.WriteLine("no live previews");
                return ExitCodes.Success;
            }
            var now = DateTimeOffset.UtcNow;
            var table = new Table().Border(TableBorder.Simple).AddColumns("ENVIRONMENT", "PULL REQUEST", "BRANCH", "COMMIT", "STATE", "URL", "AGE", "TIME LEFT");
            foreach (var p in previews)
            {
                table.AddRow(ApiCommand.Escape(p.Environment), $"#{p.Number}", ApiCommand.Escape(p.Branch), p.Commit[..Math.Min(7, p.Commit.Length)],
                    State(p), ApiCommand.Escape(p.Url ?? ""), DurationText.Format(now - p.CreatedAt), p.ExpiresAt > now ? DurationText.Format(p.ExpiresAt - now) : "expired");
            }
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return list;
    }

    private static Command Destroy()
    {
        var service = new Argument<string>("SERVICE") { Description = "The service" };
        var number = new Argument<long>("NUMBER") { Description = "The pull request's number" };
        var destroy = new Command("destroy", "Deployers: destroy a preview now; it comes back only with the next push to its pull request");
        destroy.Arguments.Add(service);
        destroy.Arguments.Add(number);
        destroy.SetApiAction(async (result, client, cancellationToken) =>
        {
            var (preview, raw) = await client.PostAsync<PreviewResponse>(
                $"api/v1/previews/{Uri.EscapeDataString(result.GetValue(service)!)}/{result.GetValue(number)}/destroy", new { }, cancellationToken);
            Console.WriteLine(result.GetValue(GlobalOptions.Json) ? raw : $"{preview.Environment} is being destroyed; it comes back with the next push to pull request #{preview.Number}");
            return ExitCodes.Success;
        });
        return destroy;
    }

    private static string State(PreviewResponse p) => p.State switch
    {
        "ready" => "[green]ready[/]",
        "failed" => "[red]failed[/]: " + ApiCommand.Escape(p.Reason ?? ""),
        "waiting" => "[yellow]waiting[/]",
        _ => ApiCommand.Escape(p.State),
    };
}
