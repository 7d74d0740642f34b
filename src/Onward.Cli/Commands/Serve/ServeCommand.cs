using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Onward.Server;
using Onward.Server.Configuration;

namespace Onward.Cli.Commands.Serve;

public static class ServeCommand
{
    public static readonly Option<string> Config = new("--config", "-c")
    {
        Description = "The configuration file",
        DefaultValueFactory = _ => ConfigFile.DefaultName,
    };

    public static Command Create()
    {
        var command = new Command("serve", "Run the Onward server: watch repositories, build, deploy and verify");
        command.Options.Add(Config);
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
            await using var app = await OnwardServer.BuildAsync(load.Config!, ServerLogging.Default, cancellationToken);
            await app.StartAsync(cancellationToken);
            Console.WriteLine($"Onward serves {load.Config!.Services.Count} service(s) in {load.Config.Environments.Count} environment(s) on {load.Config.Server.Listen}");
            await app.WaitForShutdownAsync(cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }
}
