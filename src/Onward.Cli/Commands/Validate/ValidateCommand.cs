using System.CommandLine;
using Onward.Core.Configuration;
using Onward.Core.Releases;
using Onward.Core.Sources;
using Onward.Integrations.Git;
using Onward.Integrations.Kubernetes;
using Onward.Server.Configuration;

namespace Onward.Cli.Commands.Validate;

public static class ValidateCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE")
        {
            Description = "The configuration file",
            DefaultValueFactory = _ => ConfigFile.DefaultName,
        };
        // As the other commands that read the file take it.
        var config = new Option<string?>("--config", "-c") { Description = "The configuration file (instead of FILE)" };
        var command = new Command("validate", "Check onward.yaml and report every problem with file:line:column and a fix; warn about repositories on this host without their main branch");
        command.Arguments.Add(file);
        command.Options.Add(config);
        command.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(config) ?? result.GetValue(file)!;
            var load = ConfigFile.Load(path);
            if (!load.IsValid)
            {
                foreach (var problem in load.Problems)
                {
                    Console.Error.WriteLine(problem);
                }
                Console.Error.WriteLine($"{path}: {load.Problems.Count} problem(s)");
                return ExitCodes.Failure;
            }
            Console.WriteLine($"{path} is valid: {load.Config!.Environments.Count} environment(s), {load.Config.Services.Count} service(s)");
            foreach (var service in load.Config.Services)
            {
                foreach (var warning in await LocalWarningsAsync(service, cancellationToken))
                {
                    Console.WriteLine($"warning: {path}: services.{service.Name}: {warning}");
                }
            }
            if (load.Config.Services.FirstOrDefault(s => s.Deploy.Helm is not null) is { } charted && await HelmProblemAsync(cancellationToken) is { } helm)
            {
                Console.WriteLine($"warning: {path}: services.{charted.Name}.deploy.helm: {helm}");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>What keeps this host from rendering charts: no helm, or one older than 3.14.</summary>
    private static async Task<string?> HelmProblemAsync(CancellationToken cancellationToken)
    {
        if (RenderProcess.FindHelm() is not { } helm)
        {
            return "helm is not on this host's PATH (nor named by ONWARD_HELM); the server needs helm 3.14 or later to render the chart";
        }
        var version = await RenderProcess.RunAsync(helm, ["version", "--short"], Environment.CurrentDirectory, new Dictionary<string, string>(), TimeSpan.FromSeconds(20), cancellationToken);
        var text = version.Output.Trim();
        return Version.TryParse(text.TrimStart('v').Split('+', '-')[0], out var found) && found < new Version(3, 14)
            ? $"{helm} is helm {text}; the server needs helm 3.14 or later to render the chart"
            : version.ExitCode != 0 ? $"{helm} does not run (`helm version` exited with {version.ExitCode}): {version.ErrorTail}" : null;
    }

    /// <summary>
    /// A repository on this host is looked at as the server will (its branches); one elsewhere is left to the server,
    /// which says on the service what it found.
    /// </summary>
    private static async Task<IReadOnlyList<string>> LocalWarningsAsync(ServiceConfig service, CancellationToken cancellationToken)
    {
        var url = service.Repository.Url;
        if (!service.Repository.IsLocal && !url.StartsWith("file://", StringComparison.Ordinal))
        {
            return [];
        }
        var listed = await GitCli.RunAsync(null, ["ls-remote", "--heads", "--end-of-options", url], cancellationToken);
        if (!listed.Ok)
        {
            return [SourceWarnings.Unreadable(service, listed.Error.Trim() is { Length: > 0 } said ? said : $"git exited with code {listed.ExitCode}")];
        }
        var heads = listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Where(parts => parts.Length == 2 && parts[1].StartsWith("refs/heads/", StringComparison.Ordinal))
            .Select(parts => new RefHead(parts[1]["refs/heads/".Length..], RefKind.Branch, parts[0]))
            .ToList();
        return SourceWarnings.Of(service, heads);
    }
}
