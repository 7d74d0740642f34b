using System.CommandLine;
using Spectre.Console;
using System.Text.Json;
using System.Text.Json.Nodes;
using Onward.Core.Kubernetes;

namespace Onward.Cli.Commands.Health;

/// <summary>
/// <c>onward health [-f FILE | -]</c>: the verification rules Onward applies to rollouts, on a saved object
/// (<c>kubectl get deploy/x -o json</c>, a Pod, a custom resource, or a List of a workload and its Pods): the verdict
/// and each set of rules' own (kubectl, kstatus, Argo CD, and Onward's where it has some). Exit 0 healthy, 1 failed,
/// 2 progressing.
/// </summary>
public static class HealthCommand
{
    // Messages quote names; keep them readable (\"web\" rather than \u0022web\u0022) for people and for scripts.
    private static readonly JsonSerializerOptions Output = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string NoVerdict(string rules) => rules switch
    {
        KubectlRolloutStatus.Rules => "kubectl rollout status follows only Deployments, DaemonSets and StatefulSets that update RollingUpdate",
        ArgoCdHealth.Rules => "Argo CD has no built-in health check for this kind",
        _ => "no verdict",
    };

    public static Command Create()
    {
        var file = new Option<string>("--file", "-f") { Description = "The object as JSON; - reads standard input", DefaultValueFactory = _ => "-" };
        var command = new Command("health", "Evaluate a saved Kubernetes object by Onward's rollout rules: exit 0 healthy, 1 failed, 2 progressing");
        command.Options.Add(file);
        command.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(file)!;
            string text;
            try
            {
                text = path == "-" ? await Console.In.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(path, cancellationToken);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"error: cannot read {path}: {e.Message}");
                return ExitCodes.Failure;
            }
            JsonNode? document;
            try
            {
                document = JsonNode.Parse(text);
            }
            catch (JsonException e)
            {
                Console.Error.WriteLine($"error: {path} is not JSON ({e.Message}); save the object with `kubectl get KIND NAME -o json`");
                return ExitCodes.Failure;
            }
            if (document is not JsonObject)
            {
                Console.Error.WriteLine($"error: {path} holds no Kubernetes object");
                return ExitCodes.Failure;
            }
            var now = DateTimeOffset.UtcNow;
            var report = WorkloadHealth.Evaluate(document, now);
            // The views of the object itself; for a List, of its workload (or its first Pod).
            var subject = ((string?)document["kind"]) == "List"
                ? document["items"]?.AsArray().FirstOrDefault(i => (string?)i?["kind"] is "Deployment" or "StatefulSet" or "DaemonSet" or "Job")
                    ?? document["items"]?.AsArray().FirstOrDefault(i => i is JsonObject)
                : document;
            var views = subject is null ? [] : WorkloadHealth.Views(subject, now);
            // A List may carry the Secrets its Pods use; a message quoting one of their values shows *** instead.
            var items = ((string?)document["kind"]) == "List" ? (document["items"] as JsonArray ?? []).OfType<JsonObject>() : [(JsonObject)document];
            var secrets = SecretText.Of(items, [SecretKind.Secret]);
            var verdicts = new[] { WorkloadHealth.Rules, KubectlRolloutStatus.Rules, KstatusStatus.Rules, ArgoCdHealth.Rules }
                .Select(rules => views.FirstOrDefault(v => v.Rules == rules) is { } view
                    ? new HealthView(rules, view.Status.ToString(), view.State, view.Reason, secrets.Mask(view.Message))
                    : new HealthView(rules, "None", "None", "", NoVerdict(rules)))
                .Where(v => v.Rules != WorkloadHealth.Rules || v.Verdict != "None")
                .ToList();
            var message = secrets.Mask(report.Message);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    kind = report.Kind,
                    name = report.Name,
                    status = report.Status.ToString(),
                    done = report.Done,
                    message,
                    views = verdicts.Select(v => new { rules = v.Rules, verdict = v.Verdict, state = v.State, reason = v.Reason, message = v.Message }),
                }, Output));
            }
            else
            {
                AnsiConsole.MarkupLine($"{Markup.Escape(report.Kind)} {Markup.Escape(report.Name)}: {Verdict(report.Status.ToString())}{(report.Done ? "" : " (not done)")} — {Markup.Escape(message)}");
                var table = new Table().Border(TableBorder.Simple).AddColumns("RULES", "VERDICT", "STATE", "REASON", "MESSAGE");
                foreach (var v in verdicts)
                {
                    table.AddRow(Markup.Escape(v.Rules), Verdict(v.Verdict), Markup.Escape(v.State), Markup.Escape(v.Reason), Markup.Escape(v.Message));
                }
                AnsiConsole.Write(table);
            }
            return report.Status switch
            {
                HealthStatus.Healthy => ExitCodes.Success,
                HealthStatus.Failed => ExitCodes.Failure,
                _ => ExitCodes.Progressing,
            };
        });
        return command;
    }

    private static string Verdict(string verdict) => verdict switch
    {
        "Healthy" => "[green]Healthy[/]",
        "Failed" => "[red]Failed[/]",
        "None" => "[grey]None[/]",
        _ => $"[yellow]{Markup.Escape(verdict)}[/]",
    };

    private sealed record HealthView(string Rules, string Verdict, string State, string Reason, string Message);
}
