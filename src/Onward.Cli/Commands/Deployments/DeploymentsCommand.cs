using System.CommandLine;
using Onward.Cli.Client;
using Onward.Cli.Commands.Services;
using Onward.Contracts.Deployments;
using Onward.Core.Configuration;
using Spectre.Console;
using Onward.Core.Messages;

namespace Onward.Cli.Commands.Deployments;

public static class DeploymentsCommand
{
    public static Command Create()
    {
        var command = new Command("deployments", "Releases going to environments");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Request());
        command.Subcommands.Add(Watch());
        command.Subcommands.Add(Decide("approve", "Approve a deployment that waits for approval"));
        command.Subcommands.Add(Decide("reject", "Reject a deployment that waits for approval; it ends"));
        command.Subcommands.Add(Decide("cancel", "Cancel a deployment that is queued or waits for approval"));
        command.Subcommands.Add(Canary());
        return command;
    }

    /// <summary><c>onward deployments canary abort|promote|approve ID</c>: what people do to a running canary.</summary>
    private static Command Canary()
    {
        var command = new Command("canary", "Steer a running canary: abort it, promote it to 100 % now (admins), or approve the step that waits");
        foreach (var (verb, description) in new[]
        {
            ("abort", "Send every request back to the running release at once; the deployment fails (admins)"),
            ("promote", "Send every request to the canary now and finish the deployment, skipping the remaining steps (admins)"),
            ("approve", "Approve the canary's step that waits for the environment's approvers"),
        })
        {
            var id = new Argument<long>("ID") { Description = "The deployment's id" };
            var action = new Command(verb, description);
            action.Arguments.Add(id);
            action.SetApiAction(async (result, client, cancellationToken) =>
            {
                var (deployment, raw) = await client.PostAsync<DeploymentResponse>($"api/v1/deployments/{result.GetValue(id)}/canary/{verb}", new { }, cancellationToken);
                if (result.GetValue(GlobalOptions.Json))
                {
                    Console.WriteLine(raw);
                    return ExitCodes.Success;
                }
                Print(deployment);
                return ExitCodes.Success;
            });
            command.Subcommands.Add(action);
        }
        return command;
    }

    private static Command Decide(string verb, string description)
    {
        var id = new Argument<long>("ID") { Description = "The deployment's id (`onward approvals list` shows those waiting)" };
        var comment = new Option<string?>("--comment", "-m") { Description = "Why; kept in the deployment's log" };
        var command = new Command(verb, description);
        command.Arguments.Add(id);
        command.Options.Add(comment);
        command.SetApiAction(async (result, client, cancellationToken) =>
        {
            var (deployment, raw) = await client.PostAsync<DeploymentResponse>(
                $"api/v1/deployments/{result.GetValue(id)}/{verb}", new DecisionBody(result.GetValue(comment)), cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            Print(deployment);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var service = new Option<string?>("--service", "-s") { Description = "Only this service" };
        var environment = new Option<string?>("--env", "-e") { Description = "Only this environment" };
        var state = new Option<string?>("--state") { Description = "Only deployments in this state (Queued, Verifying, Succeeded, Failed, …)" };
        var limit = new Option<int>("--limit", "-n") { Description = "How many, newest first", DefaultValueFactory = _ => 20 };
        var list = new Command("list", "Deployments, newest first");
        list.Options.Add(service);
        list.Options.Add(environment);
        list.Options.Add(state);
        list.Options.Add(limit);
        list.SetApiAction(async (result, client, cancellationToken) =>
        {
            var query = ApiCommand.WithQuery($"api/v1/deployments?limit={result.GetValue(limit)}",
                ("service", result.GetValue(service)), ("environment", result.GetValue(environment)), ("state", result.GetValue(state)));
            var (deployments, raw) = await client.GetAsync<DeploymentResponse[]>(query, cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Simple).AddColumns("ID", "SERVICE", "ENVIRONMENT", "VERSION", "STATE", "TRIGGER", "BY", "UPDATED", "REASON");
            foreach (var d in deployments)
            {
                table.AddRow(d.Id.ToString(), ApiCommand.Escape(d.Service), ApiCommand.Escape(d.Environment), ApiCommand.Escape(d.Release.Version),
                    ServicesCommand.StateMarkup(d.State), d.Trigger, ApiCommand.Escape(d.RequestedBy),
                    d.UpdatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"), ApiCommand.Escape(Shorten(d.Reason, 60)));
            }
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return list;
    }

    private static Command Show()
    {
        var id = new Argument<long>("ID") { Description = "The deployment's id" };
        var manifests = new Option<bool>("--manifests") { Description = "Print the manifests it rendered and applied (YAML) instead" };
        var show = new Command("show", "One deployment with its timeline, diagnosis and drift, or with --manifests what it applied");
        show.Arguments.Add(id);
        show.Options.Add(manifests);
        show.SetApiAction(async (result, client, cancellationToken) =>
        {
            if (result.GetValue(manifests))
            {
                Console.Write(await client.GetTextAsync($"api/v1/deployments/{result.GetValue(id)}/manifests", cancellationToken));
                return ExitCodes.Success;
            }
            var (deployment, raw) = await client.GetAsync<DeploymentResponse>($"api/v1/deployments/{result.GetValue(id)}", cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            Print(deployment);
            return ExitCodes.Success;
        });
        return show;
    }

    private static Command Request()
    {
        var service = new Option<string>("--service", "-s") { Description = "The service", Required = true };
        var environment = new Option<string>("--env", "-e") { Description = "The environment", Required = true };
        var version = new Option<string?>("--version") { Description = "The release's version label (short hash, or a version like 1.4.2)" };
        var commit = new Option<string?>("--commit") { Description = "The release's commit (full SHA or at least 7 characters)" };
        var reason = new Option<string?>("--reason") { Description = "Why; kept in the deployment's log" };
        var overrideReason = new Option<string?>("--override") { Description = "Admins: deploy although a policy says no, with this written reason (recorded)" };
        var wait = new Option<bool>("--wait", "-w") { Description = "Follow the deployment until it ends; exit 0 only if it succeeded" };
        var request = new Command("request", "Ask for a release in an environment");
        foreach (var option in new Option[] { service, environment, version, commit, reason, overrideReason, wait })
        {
            request.Options.Add(option);
        }
        request.Validators.Add(r =>
        {
            if ((r.GetValue(version) is null) == (r.GetValue(commit) is null))
            {
                r.AddError("give exactly one of --version and --commit");
            }
        });
        request.SetApiAction(async (result, client, cancellationToken) =>
        {
            var body = new DeploymentRequestBody(result.GetValue(service), result.GetValue(environment), result.GetValue(version),
                result.GetValue(commit), result.GetValue(reason), result.GetValue(overrideReason));
            DeploymentResponse deployment;
            string raw;
            try
            {
                (deployment, raw) = await client.PostAsync<DeploymentResponse>("api/v1/deployments", body, cancellationToken);
            }
            catch (ApiException e) when (e.Status == 409)
            {
                Console.Error.WriteLine($"blocked: {e.Problem?.Detail ?? e.Message}");
                if (e.Problem?.DeploymentId is { } blockedId)
                {
                    Console.Error.WriteLine($"see `onward deployments show {blockedId}`");
                }
                return ExitCodes.Failure;
            }
            var json = result.GetValue(GlobalOptions.Json);
            if (!result.GetValue(wait))
            {
                var waits = deployment.Waiting is null ? "" : $", waiting for {deployment.Waiting}";
                Console.WriteLine(json ? raw : $"deployment {deployment.Id}: {deployment.Service} {deployment.Release.Version} → {deployment.Environment} is {deployment.State}{waits}; follow it with `onward deployments show {deployment.Id}`");
                return ExitCodes.Success;
            }
            if (!json)
            {
                Console.WriteLine($"deployment {deployment.Id}: {deployment.Service} {deployment.Release.Version} → {deployment.Environment}");
            }
            return await FollowToEndAsync(client, deployment.Id, json, cancellationToken);
        });
        return request;
    }

    private static Command Watch()
    {
        var id = new Argument<long>("ID") { Description = "The deployment's id" };
        var watch = new Command("watch", "Follow a deployment as it happens, until it ends; exit 0 only if it succeeded");
        watch.Arguments.Add(id);
        watch.SetApiAction((result, client, cancellationToken) => FollowToEndAsync(client, result.GetValue(id), result.GetValue(GlobalOptions.Json), cancellationToken));
        return watch;
    }

    /// <summary>Follows a deployment to its end, then says how it ended: in one line (and its diagnosis), or as JSON.</summary>
    private static async Task<int> FollowToEndAsync(ApiClient client, long id, bool json, CancellationToken cancellationToken)
    {
        var (final, raw) = await FollowAsync(client, id, json ? TextWriter.Null : Console.Out, live: !json && !Console.IsOutputRedirected, cancellationToken);
        if (json)
        {
            Console.WriteLine(raw);
        }
        else
        {
            AnsiConsole.MarkupLine($"deployment {final.Id} {ServicesCommand.StateMarkup(final.State)}" +
                (final.State == DeploymentState.Succeeded ? "" : $": {ApiCommand.Escape(final.Reason ?? final.Events.LastOrDefault()?.Message)}"));
            if (final.Canary is { } canary)
            {
                PrintCanary(canary, 5);
            }
            if (final.Diagnosis is not null)
            {
                AnsiConsole.MarkupLine("[bold red]Diagnosis[/]");
                Console.WriteLine(final.Diagnosis);
            }
        }
        return final.State == DeploymentState.Succeeded ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>
    /// Polls a deployment until it reaches a final state, printing each event as it happens. With <paramref name="live"/>
    /// (a terminal), where it stands right now (verifying: what it last heard, and how long of its time it took) is one
    /// line that updates in place; otherwise every event is a plain line.
    /// </summary>
    public static async Task<(DeploymentResponse Deployment, string Raw)> FollowAsync(ApiClient client, long id, TextWriter progress, bool live, CancellationToken cancellationToken)
    {
        var printed = 0;
        var liveLine = false;
        while (true)
        {
            var (deployment, raw) = await client.GetAsync<DeploymentResponse>($"api/v1/deployments/{id}", cancellationToken);
            if (liveLine && deployment.Events.Count > printed)
            {
                progress.Write("\r\u001b[K");
                liveLine = false;
            }
            foreach (var e in deployment.Events.Skip(printed))
            {
                progress.WriteLine($"  {e.At.ToLocalTime():HH:mm:ss} {e.State,-12} {e.Message}");
            }
            printed = deployment.Events.Count;
            if (deployment.State.IsTerminal())
            {
                if (liveLine)
                {
                    progress.Write("\r\u001b[K");
                }
                return (deployment, raw);
            }
            if (live && Now(deployment) is { } now)
            {
                progress.Write("\r\u001b[K" + now);
                liveLine = true;
            }
            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>Where a deployment stands now, in one line: its state and, while verifying, what it heard and how long it took of its time.</summary>
    private static string? Now(DeploymentResponse d)
    {
        var started = d.Events.FirstOrDefault(e => e.State == d.State)?.At;
        if (started is null)
        {
            return null;
        }
        var elapsed = DurationText.Format(TimeSpan.FromSeconds(Math.Floor((DateTimeOffset.UtcNow - started.Value).TotalSeconds)));
        var of = d.VerifyDeadline is { } deadline ? $" of {DurationText.Format(deadline - started.Value)}" : "";
        return d.State switch
        {
            DeploymentState.Verifying => $"  … verifying: {d.Progress ?? "waiting for the first answer"} ({elapsed}{of})",
            DeploymentState.AwaitingApproval or DeploymentState.Queued => $"  … {d.State}: {d.Waiting ?? "waiting its turn"} ({elapsed})",
            _ => $"  … {d.State} ({elapsed})",
        };
    }

    public static void Print(DeploymentResponse d)
    {
        AnsiConsole.MarkupLine($"[bold]Deployment {d.Id}[/]: {ApiCommand.Escape(d.Service)} {ApiCommand.Escape(d.Release.Version)} → {ApiCommand.Escape(d.Environment)}  {ServicesCommand.StateMarkup(d.State)}");
        AnsiConsole.MarkupLine($"  commit     {d.Release.Commit}");
        if (d.Release.Chart is { } chart)
        {
            AnsiConsole.MarkupLine($"  chart      {ApiCommand.Escape(chart.Name)} {ApiCommand.Escape(chart.Version)} from {ApiCommand.Escape(chart.Location)}, {ApiCommand.Escape(chart.Digest)}");
        }
        AnsiConsole.MarkupLine($"  trigger    {d.Trigger}, requested by {ApiCommand.Escape(d.RequestedBy)} at {d.CreatedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}");
        if (d.Reason is not null)
        {
            AnsiConsole.MarkupLine($"  reason     {ApiCommand.Escape(d.Reason)}");
        }
        if (d.Restore is not null)
        {
            AnsiConsole.MarkupLine($"  restore    {ApiCommand.Escape(d.Restore)} (the previous release brought back after the failure)");
        }
        if (d.Override is not null)
        {
            AnsiConsole.MarkupLine($"  [yellow]override[/]   {ApiCommand.Escape(d.Override)}");
        }
        if (d.Waiting is not null)
        {
            var until = d.WaitingUntil is { } u ? $" (until {u.ToLocalTime():yyyy-MM-dd HH:mm:ss})" : "";
            AnsiConsole.MarkupLine($"  [yellow]waiting[/]    {ApiCommand.Escape(d.Waiting)}{until}");
        }
        foreach (var a in d.Approvals)
        {
            AnsiConsole.MarkupLine($"  {a.Decision,-10} by {ApiCommand.Escape(a.By)} at {a.At.ToLocalTime():yyyy-MM-dd HH:mm:ss}{(a.Comment is null ? "" : ": " + ApiCommand.Escape(a.Comment))}");
        }
        var table = new Table().Border(TableBorder.Simple).AddColumns("AT", "STATE", "BY", "WHAT");
        if (d.Canary is { } canary)
        {
            PrintCanary(canary, 20);
        }
        foreach (var e in d.Events)
        {
            table.AddRow(e.At.ToLocalTime().ToString("HH:mm:ss.fff"), ServicesCommand.StateMarkup(e.State), ApiCommand.Escape(e.Actor), ApiCommand.Escape(e.Message));
        }
        AnsiConsole.Write(table);
        if (d.Diagnosis is not null)
        {
            AnsiConsole.MarkupLine("[bold red]Diagnosis[/]");
            Console.WriteLine(d.Diagnosis);
        }
        if (d.Drift is { } drift)
        {
            AnsiConsole.MarkupLine($"[bold yellow]Drift[/] since {drift.Since.ToLocalTime():yyyy-MM-dd HH:mm:ss}, checked {drift.CheckedAt.ToLocalTime():HH:mm:ss}: {drift.Count} difference{(drift.Count == 1 ? "" : "s")} from what was applied");
            foreach (var difference in drift.Differences)
            {
                AnsiConsole.MarkupLine(difference.Field is null
                    ? $"  {ApiCommand.Escape(difference.Item)}: [red]deleted[/]"
                    : difference.Secret
                        ? $"  {ApiCommand.Escape(difference.Item)}: {ApiCommand.Escape(difference.Field)} {(difference.Live is null ? "is unset" : "changed")} (a secret value, not shown)"
                        : $"  {ApiCommand.Escape(difference.Item)}: {ApiCommand.Escape(difference.Field)} is {ApiCommand.Escape(difference.Live ?? "unset")}, applied {ApiCommand.Escape(difference.Applied ?? "unset")}");
            }
        }
    }

    /// <summary>A canary's steps, where it stands, and its newest judgements (at most <paramref name="shown"/> intervals).</summary>
    private static void PrintCanary(CanaryResponse canary, int shown)
    {
        var path = string.Join(" → ", canary.Steps.Select((s, i) => (i + 1 == canary.Step && canary.State == "running" ? $"[bold]{s.Weight}%[/]" : $"{s.Weight}%") + $" {s.Pause}" + (s.Approval ? " (approval)" : ""))
            .Append(canary.Weight == 100 ? "[bold]100%[/]" : "100%"));
        var state = canary.State switch { "failed" => "[red]failed[/]", "promoted" => "[green]promoted[/]", _ => $"[blue]at {canary.Weight}%[/]" };
        AnsiConsole.MarkupLine($"  canary     {state}: {path}" + (canary.Approvals.Count > 0 ? $"; step approved by {ApiCommand.Escape(string.Join(", ", canary.Approvals))}" : "")
            + (canary.Asked is { } asked ? $"; {ApiCommand.Escape(asked)} asked by {ApiCommand.Escape(canary.AskedBy)}" : ""));
        var intervals = canary.Analyses.GroupBy(a => a.At).TakeLast(shown).SelectMany(g => g).ToList();
        if (intervals.Count == 0)
        {
            return;
        }
        var table = new Table().Border(TableBorder.Simple).AddColumns("AT", "STEP", "METRIC", "CANARY", "BASELINE", "VERDICT", "DETAIL");
        foreach (var a in intervals)
        {
            var verdict = a.Verdict switch { "pass" => "[green]pass[/]", "fail" => "[red]fail[/]", var v => $"[yellow]{v}[/]" };
            table.AddRow(a.At.ToLocalTime().ToString("HH:mm:ss"), a.Step.ToString(System.Globalization.CultureInfo.InvariantCulture), ApiCommand.Escape(a.Metric),
                Number(a.Value), Number(a.Baseline), verdict, ApiCommand.Escape(a.Verdict == "pass" ? "" : Shorten(a.Detail, 80)));
        }
        AnsiConsole.Write(table);
    }

    private static string Number(double? value) => value?.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) ?? "—";

    private static string Shorten(string? text, int max) =>
        text is null ? "" : TextCut.Within(text, max);
}
