using System.Diagnostics;

namespace Onward.Testing;

/// <summary>Runs the real <c>onward</c> command and captures what it prints.</summary>
public static class OnwardCli
{
    public sealed record Result(int ExitCode, string Output, string Error);

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(3);

    public static Task<Result> RunAsync(string? workingDirectory, params string[] arguments) => RunAsync(workingDirectory, new Dictionary<string, string>(), arguments);

    /// <summary>Runs <c>onward</c> with <paramref name="environment"/> added to its environment variables.</summary>
    public static Task<Result> RunAsync(string? workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        RunAsync(workingDirectory, environment, DefaultTimeout, arguments);

    /// <summary>
    /// Runs <c>onward</c> for at most <paramref name="timeout"/>; past it the command is killed with its children
    /// and the exception carries what it had printed, so that a slow run can be told from a stuck one.
    /// </summary>
    public static async Task<Result> RunAsync(string? workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        info.ArgumentList.Add(Paths.OnwardDll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment.Remove("ONWARD_SERVER");
        info.Environment.Remove("ONWARD_TOKEN");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException(
                $"onward {string.Join(' ', arguments)} did not finish within {timeout.TotalMinutes:0.#} minutes; it had printed:\n{await output}\n{await error}");
        }
        return new Result(process.ExitCode, await output, await error);
    }
}
