using System.Diagnostics;

namespace Onward.Testing;

/// <summary>A program run the way tests run tools (kubectl, helm, buildah, systemd-analyze): its arguments as a list, its output read whole.</summary>
public static class Commands
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} could not be started");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>What the program printed; one that fails throws with what it said.</summary>
    public static Task<string> OutputAsync(string program, params string[] arguments) => OutputAsync(program, null, arguments);

    public static async Task<string> OutputAsync(string program, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var result = await RunAsync(program, arguments, environment);
        return result.ExitCode == 0
            ? result.Output
            : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {result.ExitCode}: {result.Error}{result.Output}");
    }
}
