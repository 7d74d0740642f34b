using System.CommandLine;
using Onward.Cli.Commands;
using Onward.Cli.Commands.Approvals;
using Onward.Cli.Commands.Audit;
using Onward.Cli.Commands.Login;
using Onward.Cli.Commands.People;
using Onward.Cli.Commands.Database;
using Onward.Cli.Commands.Demo;
using Onward.Cli.Commands.Deployments;
using Onward.Cli.Commands.Dora;
using Onward.Cli.Commands.Environments;
using Onward.Cli.Commands.Previews;
using Onward.Cli.Commands.Flags;
using Onward.Cli.Commands.Health;
using Onward.Cli.Commands.Local;
using Onward.Cli.Commands.Notifications;
using Onward.Cli.Commands.Releases;
using Onward.Cli.Commands.Serve;
using Onward.Cli.Commands.Services;
using Onward.Cli.Commands.Tokens;
using Onward.Cli.Commands.Validate;
using Onward.Cli.Commands.Webhooks;

if (Console.IsOutputRedirected)
{
    // Tables and messages go to files and pipes unwrapped; 80 columns is a terminal's habit, not a log's.
    Spectre.Console.AnsiConsole.Profile.Width = 200;
}

var root = new RootCommand("Onward: continuous delivery and deployment with verified rollouts");
root.Options.Add(GlobalOptions.Server);
root.Options.Add(GlobalOptions.Token);
root.Options.Add(GlobalOptions.Json);
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(ValidateCommand.Create());
root.Subcommands.Add(ServicesCommand.Create());
root.Subcommands.Add(ReleasesCommand.Create());
root.Subcommands.Add(EnvironmentsCommand.Create());
root.Subcommands.Add(PreviewsCommand.Create());
root.Subcommands.Add(DeploymentsCommand.Create());
root.Subcommands.Add(ApprovalsCommand.Create());
root.Subcommands.Add(TokensCommand.Create());
root.Subcommands.Add(PeopleCommand.Create());
root.Subcommands.Add(LoginCommand.Create());
root.Subcommands.Add(LoginCommand.Logout());
root.Subcommands.Add(AuditCommand.Create());
root.Subcommands.Add(FlagsCommand.Create());
root.Subcommands.Add(WebhooksCommand.Create());
root.Subcommands.Add(NotificationsCommand.Create());
root.Subcommands.Add(DoraCommand.Create());
root.Subcommands.Add(HealthCommand.Create());
root.Subcommands.Add(DatabaseCommand.Create());
root.Subcommands.Add(LocalCommand.Create());
root.Subcommands.Add(LocalCommand.Forward());

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var line in ParseErrors.Describe(parsed))
    {
        Console.Error.WriteLine($"error: {line}");
    }
    Console.Error.WriteLine("add --help to the command for its usage");
    return ExitCodes.Usage;
}
// A person never gets a stack trace: what went wrong is one line, and the exit code says whose mistake it was.
try
{
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return ExitCodes.Usage;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("stopped");
    return ExitCodes.Failure;
}
catch (Exception e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return ExitCodes.Failure;
}
