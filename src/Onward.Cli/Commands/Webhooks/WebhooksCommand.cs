using System.CommandLine;
using Onward.Contracts.Webhooks;
using Spectre.Console;

namespace Onward.Cli.Commands.Webhooks;

public static class WebhooksCommand
{
    public static Command Create()
    {
        var limit = new Option<int>("--limit", "-n") { Description = "How many, newest first", DefaultValueFactory = _ => 20 };
        var list = new Command("deliveries", "Every webhook received, and why it did or did not build");
        list.Options.Add(limit);
        list.SetApiAction(async (result, client, cancellationToken) =>
        {
            var (deliveries, raw) = await client.GetAsync<DeliveryResponse[]>($"api/v1/webhooks/deliveries?limit={result.GetValue(limit)}", cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Simple).AddColumns("ID", "RECEIVED", "PROVIDER", "EVENT", "REF", "COMMIT", "ACTION", "RELEASE", "REASON");
            foreach (var d in deliveries)
            {
                table.AddRow(d.Id.ToString(), d.ReceivedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"), d.Provider, ApiCommand.Escape(d.Event),
                    ApiCommand.Escape(d.Ref), d.Commit is null ? "" : d.Commit[..Math.Min(7, d.Commit.Length)],
                    d.Action == "build" ? "[green]build[/]" : "[grey]ignore[/]", d.ReleaseId?.ToString() ?? "", ApiCommand.Escape(d.Reason));
            }
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        var refused = new Command("refused", "Webhook requests refused unrecorded (unsigned, wrongly signed, too large) since the server started");
        refused.SetApiAction(async (result, client, cancellationToken) =>
        {
            var (counts, raw) = await client.GetAsync<RefusedWebhookResponse[]>("api/v1/webhooks/refused", cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Simple).AddColumns("PROVIDER", "REASON", "COUNT", "LAST");
            foreach (var c in counts)
            {
                table.AddRow(c.Provider, ApiCommand.Escape(c.Reason), c.Count.ToString(), c.LastAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"));
            }
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        var command = new Command("webhooks", "Webhook deliveries from git providers");
        command.Subcommands.Add(list);
        command.Subcommands.Add(refused);
        return command;
    }
}
