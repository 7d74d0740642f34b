using System.CommandLine;
using Onward.Integrations.LocalProcesses;
using Onward.Server.Configuration;

namespace Onward.Cli.Commands.Local;

/// <summary>
/// <c>onward local stop</c>: stops the processes of the local target on purpose; and <c>onward forward</c>, the detached
/// process that serves an environment's stable ports (started by the server, not by people).
/// </summary>
public static class LocalCommand
{
    public static Command Create()
    {
        var command = new Command("local", "The processes of the local target: its releases and the forwarders of the stable ports");
        command.Subcommands.Add(Stop());
        return command;
    }

    private static Command Stop()
    {
        var config = new Option<string>("--config", "-c") { Description = "The configuration whose dataDir holds the processes", DefaultValueFactory = _ => ConfigFile.DefaultName };
        var environment = new Option<string[]>("--env") { Description = "The environment to stop (repeatable); all local environments when not given" };
        var stop = new Command("stop", "Stop the release processes and the stable ports of local environments; a restarted server leaves them stopped until their next deployment");
        stop.Options.Add(config);
        stop.Options.Add(environment);
        stop.SetAction(async (result, cancellationToken) =>
        {
            var load = ConfigFile.Load(result.GetValue(config)!);
            if (!load.IsValid)
            {
                load.Problems.ToList().ForEach(p => Console.Error.WriteLine(p));
                return ExitCodes.Failure;
            }
            var dataDir = load.Config!.Server.DataDir;
            // An environment removed from onward.yaml may still have processes: it can be named as long as its forwarder's folder is there.
            var local = load.Config.Environments.Where(e => e.Target.Local is not null).Select(e => e.Name)
                .Union(LocalShutdown.ForwarderEnvironments(dataDir)).ToList();
            IReadOnlyList<string>? asked = result.GetValue(environment) is { Length: > 0 } named ? named : null;
            if (asked?.FirstOrDefault(e => !local.Contains(e)) is { } unknown)
            {
                throw new UsageException($"'{unknown}' is not a local environment of {result.GetValue(config)}; its local environments: {(local.Count == 0 ? "none" : string.Join(", ", local))}");
            }
            // Without --env every release process goes, whichever environment it ran in (those started by older versions included).
            var stopped = await LocalShutdown.StopAsync(dataDir, asked, cancellationToken, local);
            Console.WriteLine($"Stopped {stopped.Releases} release process(es) and {stopped.Forwarders} forwarder(s) of stable ports in {(asked is null ? "every local environment" : string.Join(", ", asked))}; "
                + "a server started later leaves them stopped, and each environment's next deployment starts it again.");
            return ExitCodes.Success;
        });
        return stop;
    }

    /// <summary><c>onward forward --dir DIR</c>: hidden; the server starts it.</summary>
    public static Command Forward()
    {
        var directory = new Option<string>("--dir") { Description = "The forwarder's folder (its routes file)", Required = true };
        var forward = new Command("forward", "Serve an environment's stable ports (started by the server)") { Hidden = true };
        forward.Options.Add(directory);
        forward.SetAction((result, cancellationToken) => Forwarder.RunAsync(result.GetValue(directory)!, Console.Out, cancellationToken));
        return forward;
    }
}
