using System.Diagnostics;
using System.Text;

namespace Onward.Integrations.Git;

/// <summary>Runs the git CLI without prompts, pagers or the user's global configuration getting in the way.</summary>
public static class GitCli
{
    /// <param name="environment">Variables for git besides Onward's own; where credentials go, never into <paramref name="arguments"/>.</param>
    public static async Task<GitResult> RunAsync(
        string? workingDirectory, IEnumerable<string> arguments, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        // Never ask for credentials on a terminal: a server has nobody to answer.
        info.Environment["GIT_TERMINAL_PROMPT"] = "0";
        info.Environment["GIT_ASKPASS"] = "/bin/false";
        info.Environment["LC_ALL"] = "C";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("git could not be started");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new GitResult(process.ExitCode, await output, await error);
    }

    public static Task<GitResult> RunAsync(string? workingDirectory, params string[] arguments) =>
        RunAsync(workingDirectory, arguments, CancellationToken.None);

    public static async Task<string> RequireAsync(
        string? workingDirectory, IEnumerable<string> arguments, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var list = arguments.ToList();
        var result = await RunAsync(workingDirectory, list, cancellationToken, environment);
        if (!result.Ok)
        {
            var command = new StringBuilder("git");
            foreach (var argument in list)
            {
                command.Append(' ').Append(argument);
            }
            throw new GitException($"`{command}` failed with exit code {result.ExitCode}: {result.Error.Trim()}",
                result.Error.Trim() is { Length: > 0 } said ? said : $"git exited with code {result.ExitCode}");
        }
        return result.Output;
    }
}
