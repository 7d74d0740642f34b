using System.CommandLine;
using Onward.Cli.Client;
using Spectre.Console;

namespace Onward.Cli.Commands;

/// <summary>Runs an API command with the shared handling of errors: the server's detail, exit code 1.</summary>
public static class ApiCommand
{
    public static void SetApiAction(this Command command, Func<ParseResult, ApiClient, CancellationToken, Task<int>> action) =>
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = GlobalOptions.Client(result);
            try
            {
                return await action(result, client, cancellationToken);
            }
            catch (ApiException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Failure;
            }
        });

    public static string Escape(string? text) => Markup.Escape(text ?? "");

    /// <summary>Appends the parameters that have a value to <paramref name="path"/>, which already has a query.</summary>
    public static string WithQuery(string path, params (string Name, string? Value)[] parameters) =>
        path + string.Concat(parameters.Where(p => p.Value is not null).Select(p => $"&{p.Name}={Uri.EscapeDataString(p.Value!)}"));
}
