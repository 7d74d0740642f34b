using System.CommandLine;
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
        var command = new Command("validate", "Check onward.yaml and report every problem with file:line:column and a fix");
        command.Arguments.Add(file);
        command.SetAction(result =>
        {
            var path = result.GetValue(file)!;
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
            return ExitCodes.Success;
        });
        return command;
    }
}
