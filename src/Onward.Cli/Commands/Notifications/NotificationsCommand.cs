using Onward.Core.Notifications;
using System.CommandLine;
using Onward.Contracts.Notifications;
using Spectre.Console;

namespace Onward.Cli.Commands.Notifications;

public static class NotificationsCommand
{
    public static Command Create()
    {
        var limit = new Option<int>("--limit", "-n") { Description = "How many, newest first", DefaultValueFactory = _ => 20 };
        var sink = new Option<string?>("--sink") { Description = "Only this notification (a name under `notifications` in onward.yaml)" };
        var state = new Option<string?>("--state") { Description = "Only pending, sent or failed" };
        var list = new Command("deliveries", "What was sent to each notification sink, with its attempts");
        list.Options.Add(limit);
        list.Options.Add(sink);
        list.Options.Add(state);
        list.SetApiAction(async (result, client, cancellationToken) =>
        {
            var query = ApiCommand.WithQuery($"api/v1/notifications/deliveries?limit={result.GetValue(limit)}", ("sink", result.GetValue(sink)), ("state", result.GetValue(state)));
            var (deliveries, raw) = await client.GetAsync<NotificationDeliveryResponse[]>(query, cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Simple).AddColumns("ID", "SINK", "EVENT", "WHAT", "STATE", "ATTEMPTS", "LAST");
            foreach (var d in deliveries)
            {
                var what = string.Join(" ", new[] { d.Event.Service, d.Event.Version, d.Event.Environment }.Where(w => w is not null));
                var state = d.State switch { "sent" => "[green]sent[/]", "failed" => "[red]failed[/]", _ => "[yellow]pending[/]" };
                var last = d.LastError ?? (d.LastStatus is { } status ? status.ToString() : "");
                table.AddRow(d.Id.ToString(), ApiCommand.Escape(d.Sink), d.Event.Type.Name(), ApiCommand.Escape(what), state, d.Attempts.ToString(), ApiCommand.Escape(last));
            }
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        var command = new Command("notifications", "Notifications sent to chat and webhooks");
        command.Subcommands.Add(list);
        return command;
    }
}
