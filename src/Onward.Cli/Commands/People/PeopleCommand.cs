using System.CommandLine;
using Onward.Contracts.Tokens;
using Spectre.Console;

namespace Onward.Cli.Commands.People;

/// <summary><c>onward people list</c>: who signed in with the company's provider, when last, and with which groups and roles (admins).</summary>
public static class PeopleCommand
{
    public static Command Create()
    {
        var limit = new Option<int>("--limit", "-n") { Description = "How many, most recent sign-in first", DefaultValueFactory = _ => 200 };
        var list = new Command("list", "People who signed in with the provider: name, subject, groups, roles, last sign-in");
        list.Options.Add(limit);
        list.SetApiAction(async (result, client, cancellationToken) =>
        {
            var (people, raw) = await client.GetAsync<PersonResponse[]>($"api/v1/people?limit={result.GetValue(limit)}", cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Simple).AddColumns("ID", "NAME", "ROLE", "GROUPS", "TEAMS", "LAST SIGN-IN", "SUBJECT", "REVOKED");
            foreach (var p in people)
            {
                table.AddRow(p.Id.ToString(), ApiCommand.Escape(p.Name), p.Role, ApiCommand.Escape(string.Join(", ", p.Groups)), ApiCommand.Escape(string.Join("; ", p.Teams)),
                    p.LastSignedInAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm") ?? "", ApiCommand.Escape(p.Subject), p.RevokedAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm") ?? "");
            }
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        var command = new Command("people", "People who sign in with the company's identity provider (auth.oidc)");
        command.Subcommands.Add(list);
        return command;
    }
}
