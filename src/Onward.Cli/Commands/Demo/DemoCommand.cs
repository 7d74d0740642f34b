using System.CommandLine;
using System.Diagnostics;
using Onward.Cli.Client;
using Onward.Core.Configuration;
using Onward.Cli.Commands.Services;
using Onward.Contracts.Deployments;
using Onward.Contracts.Flags;
using Onward.Contracts.Previews;
using Onward.Contracts.Releases;
using Onward.Contracts.Services;
using Onward.Integrations.LocalProcesses;
using Onward.Server;
using Onward.Server.Configuration;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace Onward.Cli.Commands.Demo;

/// <summary>
/// <c>onward demo</c>: a sample repository, a server on the embedded default, and four commits (a first version, a
/// good change, a change that crashes on start, its fix) followed live through the API; then a flag switched, and a
/// pull request previewed in an environment of its own.
/// </summary>
public static class DemoCommand
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(4);

    public static Command Create()
    {
        var keep = new Option<bool>("--keep") { Description = "Leave the server running at the end and print what to try next" };
        var dir = new Option<string?>("--dir") { Description = "Where to put the sample repository, onward.yaml and state (default: a new temporary folder)" };
        var command = new Command("demo", "Show Onward end to end on this machine: needs only the .NET SDK and git");
        command.Options.Add(keep);
        command.Options.Add(dir);
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                return await RunAsync(result.GetValue(dir), result.GetValue(keep), cancellationToken);
            }
            catch (DemoException e)
            {
                AnsiConsole.MarkupLine($"[red]demo failed:[/] {Markup.Escape(e.Message)}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(string? directory, bool keep, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var root = Path.GetFullPath(directory ?? Path.Combine(Path.GetTempPath(), $"onward-demo-{DateTime.UtcNow:yyyyMMdd-HHmmss}"));
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw new DemoException($"{root} is not empty; pass --dir with a new folder");
        }
        var port = PortAllocator.Next();
        var sample = new SampleRepository(Path.Combine(root, "sample"));
        await sample.CreateAsync(cancellationToken);
        var configPath = Path.Combine(root, ConfigFile.DefaultName);
        var webhookSecret = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        await File.WriteAllTextAsync(configPath, Config(port, webhookSecret), cancellationToken);

        AnsiConsole.MarkupLine($"[bold]Onward demo[/] in {Markup.Escape(root)}");
        AnsiConsole.MarkupLine($"  sample repository  {Markup.Escape(sample.Path)}");
        AnsiConsole.MarkupLine($"  configuration      {Markup.Escape(configPath)}  (dev-1, dev-2: autoDeploy main; prod: manual, requires dev-1 and dev-2)");

        var config = ConfigFile.LoadValid(configPath);
        var app = await OnwardServer.BuildAsync(config, new ConfigOrigin(configPath), new ServerLogging(false, Microsoft.Extensions.Logging.LogLevel.Error), TimeProvider.System, cancellationToken);
        await app.StartAsync(cancellationToken);
        AnsiConsole.MarkupLine($"  server             {config.Server.Listen}  (SQLite {Markup.Escape(Path.Combine(root, "onward.db"))})");
        using var client = new ApiClient(config.Server.Listen, null);
        var demo = new DemoRun(client, clock);
        try
        {
            var v1 = await sample.CommitAsync(SampleRepository.Program("Hello"), "A sample service that says Hello", cancellationToken);
            await demo.StepAsync(1, "first version", v1, expectHealthy: true, cancellationToken);
            var v2 = await sample.CommitAsync(SampleRepository.Program("Hello, world"), "Greet the whole world", cancellationToken);
            await demo.StepAsync(2, "a good change", v2, expectHealthy: true, cancellationToken);
            var broken = await sample.CommitAsync(
                SampleRepository.Program("Hello, world", "var greeting = Environment.GetEnvironmentVariable(\"GREETING\") ?? throw new InvalidOperationException(\"GREETING is not set\");"),
                "Read the greeting from GREETING (forgot to set it)", cancellationToken);
            await demo.StepAsync(3, "a change that crashes on start", broken, expectHealthy: false, cancellationToken);
            var fix = await sample.CommitAsync(SampleRepository.Program("Hello again, world"), "Go back to a built-in greeting", cancellationToken);
            await demo.StepAsync(4, "the fix", fix, expectHealthy: true, cancellationToken);
            await demo.SwitchFlagAsync(cancellationToken);
            await demo.PreviewAsync(sample, config.Server.Listen, webhookSecret, cancellationToken);

            var (services, _) = await client.GetAsync<ServiceResponse[]>("api/v1/services", cancellationToken);
            PrintSummary(services[0], clock.Elapsed);
            if (keep)
            {
                PrintNext(config.Server.Listen, root, services[0], fix);
                await app.WaitForShutdownAsync(cancellationToken);
            }
            return ExitCodes.Success;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            if (!keep)
            {
                await StopReleasesAsync(config.Server.DataDir);
            }
        }
    }

    private static string Config(int port, string webhookSecret) => $$"""
        # Written by `onward demo`. Two development environments get every build of main; prod only on request,
        # and only with a release that succeeded in both dev environments first.
        server:
          listen: http://127.0.0.1:{{port}}
          database: sqlite:onward.db
          dataDir: .onward
        environments:
          dev-1: { target: { local: {} }, policy: { autoDeploy: main } }
          dev-2: { target: { local: {} }, policy: { autoDeploy: main } }
          prod:  { target: { local: {} }, policy: { requires: [dev-1, dev-2] } }
        services:
          sample:
            repository: ./sample
            poll: 1s
            build:
              command: { run: "dotnet build --nologo -v q -c Release -o {artifact}" }
            deploy:
              local:
                command: "env ONWARD_FLAGS_URL=http://127.0.0.1:{{port}}/flags/{environment} dotnet {artifact}/sample.dll"
                healthUrl: "http://127.0.0.1:{port}/healthz"
            verify: { timeout: 60s }
            flags: flags/flags.json           # shipped with each release; switched per environment
            previews: { from: dev-1 }         # each pull request gets an environment of its own, sample-pr-NUMBER
        webhooks:
          github: { secret: "{{webhookSecret}}" }   # the demo signs its pull request event as GitHub would
        """;

    private static void PrintSummary(ServiceResponse service, TimeSpan elapsed)
    {
        AnsiConsole.WriteLine();
        AnsiConsole.MarkupLine($"[bold]Summary[/] after {elapsed.TotalSeconds:0.0}s");
        var table = new Table().Border(TableBorder.Simple).AddColumns("ENVIRONMENT", "CURRENT", "LAST DEPLOYMENT", "URL");
        foreach (var environment in service.Environments)
        {
            table.AddRow(
                environment.Name,
                environment.Current?.Version ?? "[grey]none (untouched until requested)[/]",
                environment.Last is { } last ? $"#{last.Id} {last.Version} {ServicesCommand.StateMarkup(last.State)}" : "[grey]-[/]",
                environment.Url ?? "");
        }
        AnsiConsole.Write(table);
    }

    private static void PrintNext(Uri server, string root, ServiceResponse service, string fix)
    {
        var dev1 = service.Environments.First(e => e.Name == "dev-1").Url;
        AnsiConsole.MarkupLine($"[bold]The server keeps running[/] at {server} (Ctrl+C stops it; the releases and their stable ports keep running,");
        AnsiConsole.MarkupLine($"  until [bold]{Markup.Escape(Onward)} local stop --config {Markup.Escape(Path.Combine(root, ConfigFile.DefaultName))}[/] stops them).");
        AnsiConsole.MarkupLine($"  web UI: {server}  (what runs where, updated live)");
        AnsiConsole.MarkupLine("Try:");
        AnsiConsole.WriteLine($"  export ONWARD_SERVER={server}");
        AnsiConsole.WriteLine($"  {Onward} services list");
        AnsiConsole.WriteLine($"  {Onward} deployments list");
        AnsiConsole.WriteLine($"  {Onward} deployments request --service sample --env prod --version {fix[..7]} --reason \"ship the fix\" --wait");
        AnsiConsole.WriteLine($"  curl {dev1}/");
        AnsiConsole.WriteLine($"  {Onward} flags list --env dev-1");
        AnsiConsole.WriteLine($"  {Onward} previews list                # a pull request's environment, while it is open");
        AnsiConsole.WriteLine($"  {Onward} flags set shout --env dev-1 --state DISABLED --comment \"quiet again\"   # the kill switch");
        AnsiConsole.WriteLine($"  cd {Path.Combine(root, "sample")} && edit Program.cs && git commit -am \"…\"   # builds and deploys to dev-1 and dev-2");
    }

    /// <summary>
    /// How to run onward from here, as the lines to try print it: <c>onward</c> where it is on the PATH, else the way
    /// this process was started (from a clone, <c>dotnet run --project …/src/Onward.Cli --</c>).
    /// </summary>
    internal static string Onward { get; } = Invocation();

    private static string Invocation()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        if (path.Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, "onward"))))
        {
            return "onward";
        }
        static string Quoted(string text) => text.Any(c => char.IsWhiteSpace(c) || "'\"$`\\;&|<>()*?[]#~".Contains(c)) ? Placeholders.QuoteWord(text) : text;
        if (Environment.ProcessPath is { } process && Path.GetFileNameWithoutExtension(process) == "onward")
        {
            return Quoted(process);
        }
        if (System.Reflection.Assembly.GetEntryAssembly()?.Location is { Length: > 0 } dll)
        {
            var marker = $"{Path.DirectorySeparatorChar}src{Path.DirectorySeparatorChar}Onward.Cli{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}";
            var clone = dll.IndexOf(marker, StringComparison.Ordinal);
            return clone >= 0 ? $"dotnet run --project {Quoted(Path.Combine(dll[..clone], "src", "Onward.Cli"))} --" : $"dotnet {Quoted(dll)}";
        }
        return "onward";
    }

    /// <summary>Without --keep, what the demo started (its releases and the forwarders of their stable ports) ends with it.</summary>
    private static Task StopReleasesAsync(string dataDir) => LocalShutdown.StopAsync(dataDir, null, CancellationToken.None);

    private sealed class DemoRun(ApiClient client, Stopwatch clock)
    {
        public async Task StepAsync(int number, string title, string commit, bool expectHealthy, CancellationToken cancellationToken)
        {
            var shortHash = commit[..7];
            AnsiConsole.WriteLine();
            AnsiConsole.MarkupLine($"[bold]{number}/6[/] commit [blue]{shortHash}[/]: {Markup.Escape(title)}");
            var deadline = clock.Elapsed + StepTimeout;
            var release = await WaitForAsync(deadline, "the release to be built", async () =>
            {
                var (releases, _) = await client.GetAsync<ReleaseResponse[]>("api/v1/releases?service=sample&limit=10", cancellationToken);
                return releases.FirstOrDefault(r => r.Commit == commit && r.State != "Building");
            }, cancellationToken);
            if (release.State != "Built")
            {
                throw new DemoException($"the build of {shortHash} failed: {release.Failure}");
            }
            var built = release.BuildFinishedAt - release.BuildStartedAt;
            Say($"built {release.Version} in {built?.TotalSeconds:0.0}s (command builder, clean clone of {shortHash})");
            var finals = await WaitForAsync(deadline, "dev-1 and dev-2 to finish", async () =>
            {
                var (deployments, _) = await client.GetAsync<DeploymentResponse[]>("api/v1/deployments?service=sample&limit=20", cancellationToken);
                var mine = deployments.Where(d => d.Release.Id == release.Id).ToList();
                // A failed one is shown once the previous release is restored and verified again.
                return mine.Count == 2 && mine.All(d => d.State is DeploymentState.Succeeded or DeploymentState.Blocked || (d.State == DeploymentState.Failed && d.Restore is null or "done" or "failed")) ? mine : null;
            }, cancellationToken);
            foreach (var d in finals.OrderBy(d => d.Environment))
            {
                var (full, _) = await client.GetAsync<DeploymentResponse>($"api/v1/deployments/{d.Id}", cancellationToken);
                var took = full.UpdatedAt - full.CreatedAt;
                if (full.State == DeploymentState.Succeeded)
                {
                    Say($"[green]✔[/] {full.Environment}: verified {took.TotalSeconds:0.0}s after the build");
                }
                else
                {
                    Say($"[red]✘[/] {full.Environment}: {full.State} {took.TotalSeconds:0.0}s after the build");
                    foreach (var e in full.Events.SkipWhile(e => e.State != DeploymentState.Failed))
                    {
                        Say($"  {Markup.Escape(e.Message)}");
                    }
                    if (full.Diagnosis is not null && full.Environment == "dev-1")
                    {
                        foreach (var line in full.Diagnosis.Split('\n').Where(l => l.Length > 0).TakeLast(8))
                        {
                            Say($"  [grey]│ {Markup.Escape(line)}[/]");
                        }
                    }
                }
            }
            if (finals.All(d => d.State == DeploymentState.Succeeded) != expectHealthy)
            {
                throw new DemoException(expectHealthy
                    ? $"{shortHash} was expected to be verified in dev-1 and dev-2 but was not"
                    : $"{shortHash} crashes on start but was not caught");
            }
            var (services, _) = await client.GetAsync<ServiceResponse[]>("api/v1/services", cancellationToken);
            foreach (var environment in services[0].Environments.Where(e => e.Name.StartsWith("dev", StringComparison.Ordinal)))
            {
                var answer = await GetAsync(environment.Url + "/");
                Say($"{environment.Name} at {environment.Url} answers: [bold]{Markup.Escape(answer)}[/]");
            }
        }

        /// <summary>Switches the flag "shout" on in dev-1, with no deployment, and shows dev-1's answer change.</summary>
        public async Task SwitchFlagAsync(CancellationToken cancellationToken)
        {
            AnsiConsole.WriteLine();
            AnsiConsole.MarkupLine("[bold]5/6[/] a feature flag switched in dev-1, without a deployment");
            var (services, _) = await client.GetAsync<ServiceResponse[]>("api/v1/services", cancellationToken);
            var dev1 = services[0].Environments.First(e => e.Name == "dev-1").Url + "/";
            Say($"dev-1 answers: [bold]{Markup.Escape(await GetAsync(dev1))}[/]  (flag shout is off, as the release shipped it)");
            var (flag, _) = await client.PatchAsync<FlagResponse>("api/v1/environments/dev-1/flags/shout",
                new FlagSwitchRequest(null, "on", null, "the demo turns shouting on"), cancellationToken);
            Say($"switched shout in dev-1: default variant {flag.DefaultVariant}, by {flag.Switch!.Actor}: {Markup.Escape(flag.Switch.Comment)}");
            var answer = await GetAsync(dev1);
            Say($"dev-1 answers: [bold]{Markup.Escape(answer)}[/]");
            if (!answer.Equals(answer.ToUpperInvariant(), StringComparison.Ordinal))
            {
                throw new DemoException("dev-1 did not follow the switched flag");
            }
        }

        /// <summary>
        /// Opens a pull request (a signed GitHub <c>pull_request</c> event, as GitHub sends it), shows its preview
        /// verified and answering beside dev-1, then closes it and shows the preview gone.
        /// </summary>
        public async Task PreviewAsync(SampleRepository sample, Uri server, string secret, CancellationToken cancellationToken)
        {
            AnsiConsole.WriteLine();
            AnsiConsole.MarkupLine("[bold]6/6[/] a pull request gets a preview environment of its own");
            const string branch = "feature/pull-request";
            var head = await sample.OnBranchAsync(branch, () => sample.CommitAsync(SampleRepository.Program("Hello from a pull request"), "Say hello from a pull request", cancellationToken),
                cancellationToken);
            using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(10) };
            await SendAsync(http, secret, "opened", sample.Path, branch, head, cancellationToken);
            Say($"pull request #1 from {branch} opened (commit [blue]{head[..7]}[/]); the signed event reached /hooks/github");
            var deadline = clock.Elapsed + StepTimeout;
            var preview = await WaitForAsync(deadline, "the preview to be verified", async () =>
                (await client.GetAsync<PreviewResponse[]>("api/v1/previews", cancellationToken)).Value.FirstOrDefault(p => p.State is "ready" or "failed"), cancellationToken);
            if (preview.State != "ready" || preview.Url is null)
            {
                throw new DemoException($"the preview of pull request #1 failed: {preview.Reason}");
            }
            Say($"[green]✔[/] {preview.Environment}: built, deployed and verified; {preview.Url} answers: [bold]{Markup.Escape(await GetAsync(preview.Url + "/"))}[/]");
            await SendAsync(http, secret, "closed", sample.Path, branch, head, cancellationToken);
            await WaitForAsync(deadline, "the preview to be destroyed", async () =>
                (await client.GetAsync<PreviewResponse[]>("api/v1/previews", cancellationToken)).Value.Length == 0 ? preview : null, cancellationToken);
            var after = await GetAsync(preview.Url + "/");
            if (!after.StartsWith("(no answer", StringComparison.Ordinal))
            {
                throw new DemoException($"{preview.Url} still answers after {preview.Environment} was destroyed: {after}");
            }
            Say($"pull request #1 closed: {preview.Environment} destroyed, its process stopped, {preview.Url} no longer answers");
        }

        /// <summary>A <c>pull_request</c> event shaped and signed as GitHub sends it.</summary>
        private static async Task SendAsync(HttpClient http, string secret, string action, string repository, string branch, string head, CancellationToken cancellationToken)
        {
            var body = System.Text.Json.JsonSerializer.Serialize(new
            {
                action,
                number = 1,
                pull_request = new { number = 1, state = action == "closed" ? "closed" : "open", head = new { @ref = branch, sha = head }, @base = new { @ref = "main" } },
                repository = new { full_name = "demo/sample", clone_url = repository },
            });
            using var request = new HttpRequestMessage(HttpMethod.Post, "hooks/github") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add("X-GitHub-Event", "pull_request");
            request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
            request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
                System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes(body))));
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new DemoException($"the pull request event was answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
        }

        private async Task<T> WaitForAsync<T>(TimeSpan deadline, string what, Func<Task<T?>> probe, CancellationToken cancellationToken)
            where T : class
        {
            var last = clock.Elapsed;
            while (clock.Elapsed < deadline)
            {
                if (await probe() is { } value)
                {
                    return value;
                }
                if (clock.Elapsed - last > TimeSpan.FromSeconds(5))
                {
                    Say($"[grey]… still waiting for {Markup.Escape(what)}[/]");
                    last = clock.Elapsed;
                }
                await Task.Delay(100, cancellationToken);
            }
            throw new DemoException($"timed out waiting for {what}");
        }

        private void Say(string markup) => AnsiConsole.MarkupLine($"  [grey]{clock.Elapsed.TotalSeconds,6:0.0}s[/] {markup}");

        private static async Task<string> GetAsync(string url)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            try
            {
                return (await http.GetStringAsync(url)).Trim();
            }
            catch (HttpRequestException e)
            {
                return $"(no answer: {e.Message})";
            }
        }
    }

    private sealed class DemoException(string message) : Exception(message);
}
