using System.CommandLine;
using Onward.Contracts.Approvals;
using Spectre.Console;

namespace Onward.Cli.Commands.Approvals;

public static class ApprovalsCommand
{
    public static Command Create()
    {
        var list = new Command("list", "Deployments waiting for approval, with what they have and need");
        list.SetApiAction(async (result, client, cancellationToken) =>
        {
            var (pending, raw) = await client.GetAsync<PendingApprovalResponse[]>("api/v1/approvals?state=pending", cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            if (pending.Length == 0)
            {
                Console.WriteLine("nothing waits for approval");
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Simple).AddColumns("ID", "SERVICE", "ENVIRONMENT", "VERSION", "REQUESTED BY", "APPROVALS", "APPROVERS", "EXPIRES", "REASON");
            foreach (var p in pending)
            {
                var d = p.Deployment;
                var given = p.Approvals.Where(a => a.Decision == "approved").Select(a => a.By).ToList();
                table.AddRow(d.Id.ToString(), ApiCommand.Escape(d.Service), ApiCommand.Escape(d.Environment), ApiCommand.Escape(d.Release.Version),
                    ApiCommand.Escape(d.RequestedBy), $"{given.Count}/{p.Required}{(given.Count == 0 ? "" : " (" + ApiCommand.Escape(string.Join(", ", given)) + ")")}",
                    ApiCommand.Escape(string.Join(", ", p.Approvers)), p.ExpiresAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm"), ApiCommand.Escape(d.Reason));
            }
            AnsiConsole.Write(table);
            Console.WriteLine("decide with `onward deployments approve ID` or `onward deployments reject ID --comment \"…\"`");
            return ExitCodes.Success;
        });
        var command = new Command("approvals", "Decisions deployments wait for");
        command.Subcommands.Add(list);
        return command;
    }
}
