using System.CommandLine;
using Onward.Contracts.Environments;
using Spectre.Console;

namespace Onward.Cli.Commands.Environments;

public static class EnvironmentsCommand
{
    public static Command Create()
    {
        var command = new Command("environments", "Environments, their policies and freezes");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Freeze());
        command.Subcommands.Add(Unfreeze());
        return command;
    }

    private static Command List()
    {
        var list = new Command("list", "Environments with target, policy and any freeze in force");
        list.SetApiAction(async (result, client, cancellationToken) =>
        {
            var (environments, raw) = await client.GetAsync<EnvironmentResponse[]>("api/v1/environments", cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Simple).AddColumns("NAME", "TARGET", "POLICY", "FROZEN");
            foreach (var e in environments)
            {
                table.AddRow(ApiCommand.Escape(e.Name), ApiCommand.Escape(Target(e.Target)), ApiCommand.Escape(Policy(e.Policy)),
                    e.Frozen is null ? "" : $"[yellow]until {e.Frozen.Until.ToLocalTime():yyyy-MM-dd HH:mm}[/]: {ApiCommand.Escape(e.Frozen.Reason)}");
            }
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return list;
    }

    private static Command Freeze()
    {
        var name = new Argument<string>("ENVIRONMENT") { Description = "The environment to freeze" };
        var until = new Option<string>("--until") { Description = "When the freeze ends: a time (2026-12-01T08:00:00Z) or a duration from now (12h)", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why; shown to everyone whose deployment waits", Required = true };
        var freeze = new Command("freeze", "Admins: stop deployments to an environment until a time; automatic and approved ones wait, manual requests are refused");
        freeze.Arguments.Add(name);
        freeze.Options.Add(until);
        freeze.Options.Add(reason);
        freeze.SetApiAction(async (result, client, cancellationToken) =>
        {
            var (environment, raw) = await client.PostAsync<EnvironmentResponse>(
                $"api/v1/environments/{Uri.EscapeDataString(result.GetValue(name)!)}/freeze", new FreezeRequestBody(result.GetValue(until), result.GetValue(reason)), cancellationToken);
            Console.WriteLine(result.GetValue(GlobalOptions.Json) ? raw
                : $"{environment.Name} is frozen until {environment.Frozen!.Until.ToLocalTime():yyyy-MM-dd HH:mm:ss zzz}: {environment.Frozen.Reason}");
            return ExitCodes.Success;
        });
        return freeze;
    }

    private static Command Unfreeze()
    {
        var name = new Argument<string>("ENVIRONMENT") { Description = "The environment whose ad-hoc freeze ends now" };
        var unfreeze = new Command("unfreeze", "Admins: lift an ad-hoc freeze; waiting deployments go ahead");
        unfreeze.Arguments.Add(name);
        unfreeze.SetApiAction(async (result, client, cancellationToken) =>
        {
            var (environment, raw) = await client.DeleteAsync<EnvironmentResponse>(
                $"api/v1/environments/{Uri.EscapeDataString(result.GetValue(name)!)}/freeze", cancellationToken);
            Console.WriteLine(result.GetValue(GlobalOptions.Json) ? raw
                : environment.Frozen is null ? $"{environment.Name} is no longer frozen"
                : $"the ad-hoc freeze is lifted, but {environment.Name} stays frozen until {environment.Frozen.Until.ToLocalTime():yyyy-MM-dd HH:mm}: {environment.Frozen.Reason}");
            return ExitCodes.Success;
        });
        return unfreeze;
    }

    private static string Target(TargetResponse t) =>
        t.Kind == "local" ? "local" + (t.Ports is { Count: > 0 } p ? " (" + string.Join(", ", p.Select(x => $"{x.Key}:{x.Value}")) + ")" : "")
        : $"kubernetes {t.Context}/{t.Namespace}";

    private static string Policy(PolicyResponse p)
    {
        var parts = new List<string>();
        if (p.AutoDeploy is not null)
        {
            parts.Add($"autoDeploy {p.AutoDeploy}");
        }
        if (p.Requires.Count > 0)
        {
            parts.Add($"requires {string.Join(", ", p.Requires)}");
        }
        if (p.AutoPromote is not null)
        {
            parts.Add($"autoPromote {p.AutoPromote}");
        }
        if (p.Approval is { } a)
        {
            parts.Add($"{a.Required} approval(s) from {string.Join("/", a.Approvers)}{(a.AllowSelfApproval ? ", self allowed" : "")}");
        }
        if (!p.ForwardOnly)
        {
            parts.Add("not forward-only");
        }
        parts.AddRange(p.Freeze.Select(w => $"freeze \"{w.Cron}\" {w.Duration} {w.Timezone}"));
        return string.Join("; ", parts);
    }
}
