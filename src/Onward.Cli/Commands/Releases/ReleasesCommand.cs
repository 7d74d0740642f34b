using System.CommandLine;
using Onward.Contracts.Releases;
using Spectre.Console;

namespace Onward.Cli.Commands.Releases;

public static class ReleasesCommand
{
    public static Command Create()
    {
        var service = new Option<string?>("--service", "-s") { Description = "Only this service's releases" };
        var limit = new Option<int>("--limit", "-n") { Description = "How many, newest first", DefaultValueFactory = _ => 20 };
        var list = new Command("list", "Releases, newest first");
        list.Options.Add(service);
        list.Options.Add(limit);
        list.SetApiAction(async (result, client, cancellationToken) =>
        {
            var query = $"api/v1/releases?limit={result.GetValue(limit)}";
            if (result.GetValue(service) is { } s)
            {
                query += "&service=" + Uri.EscapeDataString(s);
            }
            var (releases, raw) = await client.GetAsync<ReleaseResponse[]>(query, cancellationToken);
            if (result.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(raw);
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Simple).AddColumns("ID", "SERVICE", "VERSION", "COMMIT", "REF", "STATE", "CREATED", "REASON");
            foreach (var r in releases)
            {
                table.AddRow(r.Id.ToString(), ApiCommand.Escape(r.Service), ApiCommand.Escape(r.Version), r.Commit[..Math.Min(12, r.Commit.Length)],
                    ApiCommand.Escape($"{r.RefKind} {r.Ref}"), BuildMarkup(r.State), r.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"),
                    r.Failure is { } failure ? ApiCommand.Escape(FirstLine(failure, 80)) + $" [grey](onward releases log {r.Id})[/]" : "");
            }
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });

        var id = new Argument<long>("ID") { Description = "The release's id" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing the log while the build runs, until it ends; exit 0 only if it built" };
        var log = new Command("log", "A release's build log");
        log.Arguments.Add(id);
        log.Options.Add(follow);
        log.SetApiAction(async (result, client, cancellationToken) =>
        {
            var path = $"api/v1/releases/{result.GetValue(id)}/log";
            if (!result.GetValue(follow))
            {
                Console.Write(await client.GetTextAsync(path, cancellationToken));
                return ExitCodes.Success;
            }
            // The log only grows while the build runs: what is new is what follows the part already printed.
            var printed = "";
            while (true)
            {
                var (release, _) = await client.GetAsync<ReleaseResponse>($"api/v1/releases/{result.GetValue(id)}", cancellationToken);
                var text = release.BuildStartedAt is null && release.State == "Building" ? "" : await client.GetTextAsync(path, cancellationToken);
                Console.Write(text.StartsWith(printed, StringComparison.Ordinal) ? text[printed.Length..] : "\n" + text);
                printed = text;
                if (release.State != "Building")
                {
                    AnsiConsole.MarkupLine($"release {release.Id} {BuildMarkup(release.State)}{(release.Failure is { } failure ? ": " + ApiCommand.Escape(failure) : "")}");
                    return release.State == "Built" ? ExitCodes.Success : ExitCodes.Failure;
                }
                await Task.Delay(500, cancellationToken);
            }
        });

        var registerService = new Option<string>("--service", "-s") { Description = "The service", Required = true };
        var registerCommit = new Option<string>("--commit") { Description = "The commit the image was built from", Required = true };
        var registerImage = new Option<string>("--image") { Description = "The pushed image, by tag or digest: registry/name:tag", Required = true };
        var registerRef = new Option<string?>("--ref") { Description = "The branch or tag it was built for (default: the main branch)" };
        var register = new Command("register", "Register an image an external CI built and pushed; Onward checks it and pins its digest");
        foreach (var option in new Option[] { registerService, registerCommit, registerImage, registerRef })
        {
            register.Options.Add(option);
        }
        register.SetApiAction(async (result, client, cancellationToken) =>
        {
            var (release, raw) = await client.PostAsync<ReleaseResponse>("api/v1/releases",
                new ReleaseRegistration(result.GetValue(registerService), result.GetValue(registerCommit), result.GetValue(registerRef), result.GetValue(registerImage)),
                cancellationToken);
            Console.WriteLine(result.GetValue(GlobalOptions.Json) ? raw : $"release {release.Id}: {release.Service} {release.Version} is {release.Image}@{release.Digest}");
            return ExitCodes.Success;
        });

        var command = new Command("releases", "Built versions of services");
        command.Subcommands.Add(list);
        command.Subcommands.Add(log);
        command.Subcommands.Add(register);
        return command;
    }

    /// <summary>A release's build state as the tables show it: <c>Built</c>, <c>BuildFailed</c> in red, <c>Building</c> in yellow.</summary>
    public static string BuildMarkup(string state) => state switch
    {
        "Built" => "[green]Built[/]",
        "BuildFailed" => "[red]BuildFailed[/]",
        _ => $"[yellow]{ApiCommand.Escape(state)}[/]",
    };

    /// <summary>The first line of a text, at most <paramref name="most"/> characters.</summary>
    public static string FirstLine(string text, int most)
    {
        var line = text.Split('\n', 2)[0].TrimEnd();
        return line.Length <= most ? line : line[..(most - 1)] + "…";
    }
}
