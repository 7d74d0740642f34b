using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Onward.Contracts.Flags;
using Onward.Core.Flags;
using Spectre.Console;

namespace Onward.Cli.Commands.Flags;

public static class FlagsCommand
{
    public static Command Create()
    {
        var command = new Command("flags", "Feature flags per environment: list, apply a flag document, switch, history, evaluate a file offline");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Apply());
        command.Subcommands.Add(Set());
        command.Subcommands.Add(Unset());
        command.Subcommands.Add(History());
        command.Subcommands.Add(Diff());
        command.Subcommands.Add(Results());
        command.Subcommands.Add(Requests());
        command.Subcommands.Add(Decide("approve", ApprovalVerb.Approve));
        command.Subcommands.Add(Decide("reject", ApprovalVerb.Reject));
        command.Subcommands.Add(Evaluate());
        return command;
    }

    private enum ApprovalVerb
    {
        Approve,
        Reject,
    }

    /// <summary>Prints an answer as JSON, or a request for approval (202) in words.</summary>
    private static int Print(ParseResult result, int status, string raw)
    {
        if (result.GetValue(GlobalOptions.Json))
        {
            Console.WriteLine(raw);
            return ExitCodes.Success;
        }
        var request = JsonSerializer.Deserialize<FlagChangeRequestResponse>(raw, Client.ApiClient.Json)!;
        Console.WriteLine(status == 202
            ? $"flag change request {request.Id} waits for approval in {request.Environment}: {request.Needs} (`onward flags approve {request.Id} --env {request.Environment}`)"
            : $"flag change request {request.Id} is {request.State.ToString().ToLowerInvariant()}{(request.Outcome is { } o ? $": {o}" : "")}");
        return ExitCodes.Success;
    }

    private static Command Requests()
    {
        var environment = EnvironmentOption();
        var pending = new Option<bool>("--pending") { Description = "Only those still waiting" };
        var requests = new Command("requests", "Flag changes waiting for approval (environments with policy.flags.approval), and past ones");
        requests.Options.Add(environment);
        requests.Options.Add(pending);
        requests.SetApiAction(async (result, client, cancellationToken) =>
        {
            var path = $"api/v1/environments/{Uri.EscapeDataString(result.GetValue(environment)!)}/flags/requests" + (result.GetValue(pending) ? "?state=pending" : "");
            var (list, raw) = await client.GetAsync<FlagChangeRequestResponse[]>(path, cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Simple).AddColumns("ID", "CHANGE", "BY", "WHY", "STATE", "DECISIONS");
            foreach (var r in list)
            {
                table.AddRow(r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ApiCommand.Escape(r.Kind.Name() + (r.Key is null ? "" : " " + r.Key)), ApiCommand.Escape(r.RequestedBy),
                    ApiCommand.Escape(r.Comment), ApiCommand.Escape(r.State + (r.State == FlagRequestState.Pending ? $" ({r.Needs})" : r.Outcome is { } o ? $": {o}" : "")),
                    ApiCommand.Escape(string.Join(", ", r.Decisions.Select(d => $"{d.Decision.ToLowerInvariant()} by {d.By}"))));
            }
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return requests;
    }

    private static Command Decide(string name, ApprovalVerb verb)
    {
        var id = new Argument<long>("ID") { Description = "The flag change request" };
        var environment = EnvironmentOption();
        var comment = new Option<string?>("--comment") { Description = "Why" };
        var decide = new Command(name, verb == ApprovalVerb.Approve ? "Approve a flag change request; it applies once enough approvals are given" : "Reject a flag change request");
        decide.Arguments.Add(id);
        decide.Options.Add(environment);
        decide.Options.Add(comment);
        decide.SetApiAction(async (result, client, cancellationToken) =>
        {
            var path = $"api/v1/environments/{Uri.EscapeDataString(result.GetValue(environment)!)}/flags/requests/{result.GetValue(id)}/{name}";
            var (_, raw) = await client.PostAsync<FlagChangeRequestResponse>(path, new FlagDecisionRequest(result.GetValue(comment)), cancellationToken);
            return Print(result, 200, raw);
        });
        return decide;
    }

    private static Command Results()
    {
        var key = new Argument<string>("KEY") { Description = "A flag with a fractional split (an A/B experiment)" };
        var environment = EnvironmentOption();
        var conversion = new Option<string?>("--event") { Description = "The conversion event; the most frequent one when omitted" };
        var results = new Command("results", "An experiment's results per variant: exposed users, conversions, rate, difference to the control with its 95% interval and p-value");
        results.Arguments.Add(key);
        results.Options.Add(environment);
        results.Options.Add(conversion);
        results.SetApiAction(async (result, client, cancellationToken) =>
        {
            var path = $"api/v1/environments/{Uri.EscapeDataString(result.GetValue(environment)!)}/flags/{Uri.EscapeDataString(result.GetValue(key)!)}/results"
                + (result.GetValue(conversion) is { } e ? $"?event={Uri.EscapeDataString(e)}" : "");
            var (report, raw) = await client.GetAsync<ExperimentResultsResponse>(path, cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Simple).Title($"{report.Flag} in {report.Environment}, conversion event \"{report.Event}\"")
                .AddColumns("VARIANT", "WEIGHT", "EXPOSED", "CONVERTED", "RATE", "VS CONTROL (95% CI)", "P");
            foreach (var v in report.Variants)
            {
                table.AddRow(ApiCommand.Escape(v.Variant + (v.Variant == report.Control ? " (control)" : "")), v.Weight.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    v.Exposed.ToString(System.Globalization.CultureInfo.InvariantCulture), v.Converted.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    v.Rate is { } r ? $"{r:P2}" : "",
                    v.Difference is { } d ? $"{d * 100:+0.00;-0.00} pt ({v.Low * 100:+0.00;-0.00} to {v.High * 100:+0.00;-0.00})" : "",
                    v.PValue is { } p ? $"{p:0.0000}{(v.Significant ? " significant" : "")}" : "");
            }
            AnsiConsole.Write(table);
            foreach (var warning in report.Warnings)
            {
                AnsiConsole.MarkupLine($"[yellow]warning:[/] {ApiCommand.Escape(warning)}");
            }
            return ExitCodes.Success;
        });
        return results;
    }

    private static Command Diff()
    {
        var service = new Option<string>("--service") { Description = "The service that ships flags", Required = true };
        var from = new Option<string>("--from") { Description = "A version of the service", Required = true };
        var to = new Option<string>("--to") { Description = "A later (or any other) version", Required = true };
        var diff = new Command("diff", "The flag changes a service's releases ship between two versions");
        diff.Options.Add(service);
        diff.Options.Add(from);
        diff.Options.Add(to);
        diff.SetApiAction(async (result, client, cancellationToken) =>
        {
            var path = $"api/v1/services/{Uri.EscapeDataString(result.GetValue(service)!)}/flags/diff?from={Uri.EscapeDataString(result.GetValue(from)!)}&to={Uri.EscapeDataString(result.GetValue(to)!)}";
            var (changes, raw) = await client.GetAsync<FlagDiffResponse>(path, cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            if (changes.Flags.Count == 0)
            {
                Console.WriteLine($"{changes.Service} {changes.From} and {changes.To} ship the same flags");
            }
            foreach (var flag in changes.Flags)
            {
                Console.WriteLine($"{flag.Key}: {flag.Change}");
                foreach (var field in flag.Fields)
                {
                    Console.WriteLine($"    {field.Field}: {field.Before ?? "(none)"} → {field.After ?? "(none)"}");
                }
            }
            return ExitCodes.Success;
        });
        return diff;
    }

    private static Option<string> EnvironmentOption() => new("--env") { Description = "The environment", Required = true };

    private static Command List()
    {
        var environment = EnvironmentOption();
        var list = new Command("list", "The environment's effective flags with their source and any switch");
        list.Options.Add(environment);
        list.SetApiAction(async (result, client, cancellationToken) =>
        {
            var (flags, raw) = await client.GetAsync<EnvironmentFlagsResponse>($"api/v1/environments/{Uri.EscapeDataString(result.GetValue(environment)!)}/flags", cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Simple).AddColumns("KEY", "STATE", "DEFAULT", "VARIANTS", "TARGETING", "SOURCE", "SWITCH");
            foreach (var f in flags.Flags)
            {
                table.AddRow(ApiCommand.Escape(f.Key), f.State == "ENABLED" ? "enabled" : "[red]DISABLED[/]", ApiCommand.Escape(f.DefaultVariant ?? "(code default)"),
                    ApiCommand.Escape(string.Join(", ", f.Variants.Select(v => v.Key))), f.Targeting is { Count: > 0 } ? "yes" : "",
                    ApiCommand.Escape(f.Source.Kind == "release" ? $"{f.Source.Service} {f.Source.Version}" : $"environment ({f.Source.Actor})"),
                    f.Switch is { } s ? ApiCommand.Escape($"{s.Actor}, {s.At.ToLocalTime():yyyy-MM-dd HH:mm}: {s.Comment}") : "");
            }
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return list;
    }

    private static Command Apply()
    {
        var environment = EnvironmentOption();
        var file = new Option<string>("-f", "--file") { Description = "A flagd flag document (JSON); - reads standard input", Required = true };
        var apply = new Command("apply", "Replace the environment's own flag set with a flagd document; nothing changes if it has a problem");
        apply.Options.Add(environment);
        apply.Options.Add(file);
        apply.SetApiAction(async (result, client, cancellationToken) =>
        {
            var path = result.GetValue(file)!;
            var document = path == "-" ? await Console.In.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(path, cancellationToken);
            var env = result.GetValue(environment)!;
            var (status, raw) = await client.SendAsync(HttpMethod.Put, $"api/v1/environments/{Uri.EscapeDataString(env)}/flags",
                new StringContent(document, System.Text.Encoding.UTF8, "application/json"), cancellationToken);
            if (result.GetValue(GlobalOptions.Json) || status == 202)
            {
                return Print(result, status, raw);
            }
            var replaced = JsonSerializer.Deserialize<FlagSetReplacedResponse>(raw, Client.ApiClient.Json)!;
            Console.WriteLine($"{replaced.Environment} now has {replaced.Flags} flag(s) of its own");
            return ExitCodes.Success;
        });
        return apply;
    }

    private static Command Set()
    {
        var key = new Argument<string>("KEY") { Description = "The flag" };
        var environment = EnvironmentOption();
        var state = new Option<string?>("--state") { Description = "ENABLED or DISABLED (DISABLED is the kill switch: clients get their code default)" };
        state.AcceptOnlyFromAmong("ENABLED", "DISABLED");
        var defaultVariant = new Option<string?>("--default-variant") { Description = "The variant served when targeting gives none" };
        var targeting = new Option<string?>("--targeting") { Description = "JsonLogic targeting as JSON, {} for none" };
        var comment = new Option<string>("--comment") { Description = "Why; kept in the flag's history and the audit trail", Required = true };
        var set = new Command("set", "Switch one flag in one environment; kept over later releases until `onward flags unset`");
        set.Arguments.Add(key);
        set.Options.Add(environment);
        set.Options.Add(state);
        set.Options.Add(defaultVariant);
        set.Options.Add(targeting);
        set.Options.Add(comment);
        set.SetApiAction(async (result, client, cancellationToken) =>
        {
            JsonObject? rule = null;
            if (result.GetValue(targeting) is { } text)
            {
                try
                {
                    rule = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not an object");
                }
                catch (JsonException e)
                {
                    Console.Error.WriteLine($"--targeting is not a JSON object ({e.Message}); write e.g. '{{\"if\": [{{\"==\": [{{\"var\": \"plan\"}}, \"pro\"]}}, \"on\", \"off\"]}}'");
                    return ExitCodes.Usage;
                }
            }
            var path = $"api/v1/environments/{Uri.EscapeDataString(result.GetValue(environment)!)}/flags/{Uri.EscapeDataString(result.GetValue(key)!)}";
            var body = JsonSerializer.Serialize(new FlagSwitchRequest(result.GetValue(state), result.GetValue(defaultVariant), rule, result.GetValue(comment)), Client.ApiClient.Json);
            var (status, raw) = await client.SendAsync(HttpMethod.Patch, path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"), cancellationToken);
            if (result.GetValue(GlobalOptions.Json) || status == 202)
            {
                return Print(result, status, raw);
            }
            var flag = JsonSerializer.Deserialize<FlagResponse>(raw, Client.ApiClient.Json)!;
            Console.WriteLine($"{flag.Key} in {result.GetValue(environment)} is {flag.State.ToLowerInvariant()}, default {flag.DefaultVariant ?? "(code default)"}{(flag.Targeting is { Count: > 0 } ? ", with targeting" : "")}");
            return ExitCodes.Success;
        });
        return set;
    }

    private static Command Unset()
    {
        var key = new Argument<string>("KEY") { Description = "The flag" };
        var environment = EnvironmentOption();
        var comment = new Option<string?>("--comment") { Description = "Why" };
        var unset = new Command("unset", "Remove the switch on a flag: its definition from the release or the environment's set applies again");
        unset.Arguments.Add(key);
        unset.Options.Add(environment);
        unset.Options.Add(comment);
        unset.SetApiAction(async (result, client, cancellationToken) =>
        {
            var path = $"api/v1/environments/{Uri.EscapeDataString(result.GetValue(environment)!)}/flags/{Uri.EscapeDataString(result.GetValue(key)!)}/override"
                + (result.GetValue(comment) is { } why ? $"?comment={Uri.EscapeDataString(why)}" : "");
            var (status, raw) = await client.SendAsync(HttpMethod.Delete, path, null, cancellationToken);
            if (result.GetValue(GlobalOptions.Json) || status == 202)
            {
                return Print(result, status, raw);
            }
            Console.WriteLine($"the switch on {result.GetValue(key)} is removed");
            return ExitCodes.Success;
        });
        return unset;
    }

    private static Command History()
    {
        var key = new Argument<string?>("KEY") { Description = "The flag; every flag of the environment when omitted", Arity = ArgumentArity.ZeroOrOne };
        var environment = EnvironmentOption();
        var history = new Command("history", "Every change of a flag: who, when, why, what made it, and the diff");
        history.Arguments.Add(key);
        history.Options.Add(environment);
        history.SetApiAction(async (result, client, cancellationToken) =>
        {
            var env = Uri.EscapeDataString(result.GetValue(environment)!);
            var path = result.GetValue(key) is { } k ? $"api/v1/environments/{env}/flags/{Uri.EscapeDataString(k)}/history" : $"api/v1/environments/{env}/flags/history";
            var (changes, raw) = await client.GetAsync<FlagChangeResponse[]>(path, cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            foreach (var change in changes)
            {
                Console.WriteLine($"{change.At.ToLocalTime():yyyy-MM-dd HH:mm:ss} {change.Key} by {change.Actor} ({change.Source}{(change.DeploymentId is { } d ? $", deployment {d}" : "")})"
                    + (change.Comment is { Length: > 0 } c ? $": {c}" : ""));
                foreach (var field in change.Changes)
                {
                    Console.WriteLine($"    {field.Field}: {field.Before ?? "(none)"} → {field.After ?? "(none)"}");
                }
            }
            return ExitCodes.Success;
        });
        return history;
    }

    private static Command Evaluate()
    {
        var key = new Argument<string?>("KEY") { Description = "The flag; every flag when omitted", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string>("-f", "--file") { Description = "A flagd flag document (JSON)", Required = true };
        var context = new Option<string?>("--context") { Description = "The evaluation context as JSON, e.g. '{\"targetingKey\": \"user-1\"}'" };
        var evaluate = new Command("eval", "Evaluate a flag document offline, as flagd would (no server needed): value, variant, reason, error code");
        evaluate.Arguments.Add(key);
        evaluate.Options.Add(file);
        evaluate.Options.Add(context);
        evaluate.SetAction(async (result, cancellationToken) =>
        {
            var (set, problems) = FlagSet.Parse(await File.ReadAllTextAsync(result.GetValue(file)!, cancellationToken));
            foreach (var problem in problems)
            {
                Console.Error.WriteLine($"{result.GetValue(file)}: {problem}");
            }
            if (set is null)
            {
                return ExitCodes.Failure;
            }
            IReadOnlyDictionary<string, object?> values = FlagData.EmptyObject;
            if (result.GetValue(context) is { } text)
            {
                if (JsonNode.Parse(text) is not JsonObject parsed)
                {
                    Console.Error.WriteLine("--context is a JSON object, e.g. '{\"targetingKey\": \"user-1\"}'");
                    return ExitCodes.Usage;
                }
                values = (IReadOnlyDictionary<string, object?>)FlagData.FromJson(parsed)!;
            }
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var keys = result.GetValue(key) is { } one ? [one] : set.Flags.Keys.Order(StringComparer.Ordinal).ToArray();
            var answers = new JsonArray();
            var budget = new EvaluationBudget(cancellationToken);
            foreach (var k in keys)
            {
                var r = FlagEvaluator.Evaluate(set.Flags.GetValueOrDefault(k), k, values, now, budget);
                var answer = new JsonObject { ["key"] = r.Key, ["reason"] = r.Reason };
                if (r.Variant is not null)
                {
                    answer["variant"] = r.Variant;
                    answer["value"] = r.Value?.DeepClone();
                }
                if (r.ErrorCode is not null)
                {
                    answer["errorCode"] = r.ErrorCode;
                    answer["errorDetails"] = r.ErrorDetails;
                }
                answer["metadata"] = new JsonObject(r.Metadata.Select(m => KeyValuePair.Create(m.Key, m.Value?.DeepClone())));
                answers.Add(answer);
            }
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(keys.Length == 1 ? answers[0]!.ToJsonString() : answers.ToJsonString());
            }
            else
            {
                var table = new Table().Border(TableBorder.Simple).AddColumns("FLAG", "VALUE", "VARIANT", "REASON", "ERROR");
                foreach (var answer in answers.OfType<JsonObject>())
                {
                    table.AddRow(ApiCommand.Escape((string?)answer["key"]),
                        answer.ContainsKey("value") ? ApiCommand.Escape(answer["value"]?.ToJsonString() ?? "null") : "[grey](code default)[/]",
                        ApiCommand.Escape((string?)answer["variant"]), ApiCommand.Escape((string?)answer["reason"]),
                        answer["errorCode"] is { } code ? $"[red]{ApiCommand.Escape((string?)code)}[/] {ApiCommand.Escape((string?)answer["errorDetails"])}" : "");
                }
                AnsiConsole.Write(table);
            }
            return answers.Any(a => a!["errorCode"] is not null) ? ExitCodes.Failure : ExitCodes.Success;
        });
        return evaluate;
    }
}
