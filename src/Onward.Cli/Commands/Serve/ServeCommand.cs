using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Onward.Core.Configuration;
using Onward.Server;
using Onward.Server.Hosting;
using Onward.Server.Configuration;

namespace Onward.Cli.Commands.Serve;

public static class ServeCommand
{
    public static readonly Option<string> Config = new("--config", "-c")
    {
        Description = "The configuration file",
        DefaultValueFactory = _ => ConfigFile.DefaultName,
    };

    public static readonly Option<string?> Listen = new("--listen")
    {
        Description = "The address to listen on, instead of server.listen (e.g. http://127.0.0.1:8081), so that replicas can share one file",
    };

    public static Command Create()
    {
        var command = new Command("serve", "Run the Onward server: watch repositories, build, deploy and verify");
        command.Options.Add(Config);
        command.Options.Add(Listen);
        command.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(Config)!;
            var load = ConfigFile.Load(path);
            if (!load.IsValid)
            {
                Console.Error.WriteLine($"onward serve: refusing to start, {path} has {load.Problems.Count} problem(s):");
                foreach (var problem in load.Problems)
                {
                    Console.Error.WriteLine(problem);
                }
                return ExitCodes.Failure;
            }
            var config = load.Config!;
            var origin = new ConfigOrigin(path);
            if (result.GetValue(Listen) is { } listen)
            {
                if (!Uri.TryCreate(listen, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    Console.Error.WriteLine($"onward serve: --listen '{listen}' is not an http(s) URL; write it like http://127.0.0.1:8081");
                    return ExitCodes.Usage;
                }
                // Also what every reload of the file gets: the command line wins over the file.
                origin = new ConfigOrigin(path, loaded => loaded with { Server = loaded.Server with { Listen = uri } });
                config = origin.Adjust(config);
                if (uri.Scheme == "https" && config.Server.Tls is null)
                {
                    Console.Error.WriteLine($"onward serve: --listen {uri} is https but onward.yaml gives no certificate; add `server.tls: {{ certificate: FILE, key: FILE }}` (PEM files)");
                    return ExitCodes.Failure;
                }
                if (config.Auth.Mode == AuthMode.None && !config.Server.ListensOnLoopback)
                {
                    Console.Error.WriteLine($"onward serve: refusing to listen on {uri} with `auth.mode: none`; listen on loopback or set `auth: {{ mode: tokens }}`");
                    return ExitCodes.Failure;
                }
            }
            WebApplication app;
            try
            {
                app = await OnwardServer.BuildAsync(config, origin, ServerLogging.Default, TimeProvider.System, cancellationToken);
            }
            catch (ServerStartException e)
            {
                Console.Error.WriteLine($"onward serve: {e.Message}");
                return ExitCodes.Failure;
            }
            await using (app)
            {
                try
                {
                    await app.StartAsync(cancellationToken);
                }
                catch (ServerStartException e)
                {
                    // The start-up step (the database, the replicas' leases) said why this server cannot run.
                    Console.Error.WriteLine($"onward serve: {e.Message}");
                    return ExitCodes.Failure;
                }
                catch (IOException e) when (e.InnerException is AddressInUseException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                {
                    // Taken between the check and the start.
                    Console.Error.WriteLine($"onward serve: cannot listen on {config.Server.Listen}: the address is in use; stop that program or listen elsewhere (server.listen, or --listen)");
                    return ExitCodes.Failure;
                }
                Console.WriteLine($"Onward serves {config.Services.Count} service(s) in {config.Environments.Count} environment(s) on {config.Server.Listen}");
                await app.WaitForShutdownAsync(cancellationToken);
                Console.WriteLine(config.Environments.Any(e => e.Target.Local is not null)
                    ? "Onward stopped; the applications of local environments keep running on their stable ports (`onward local stop` stops them)"
                    : "Onward stopped");
                return ExitCodes.Success;
            }
        });
        return command;
    }
}
