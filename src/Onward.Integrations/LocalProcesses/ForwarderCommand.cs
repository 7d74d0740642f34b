using System.Reflection;
using Onward.Core.Configuration;

namespace Onward.Integrations.LocalProcesses;

/// <summary>
/// How to start <c>onward forward</c>: the onward executable this server runs as, or the one
/// <c>ONWARD_FORWARDER</c> names (the path of <c>onward</c> or <c>onward.dll</c>) where the server is hosted by
/// another program.
/// </summary>
public static class ForwarderCommand
{
    public const string Variable = "ONWARD_FORWARDER";

    /// <summary>The shell command that runs a forwarder for <paramref name="directory"/>; null when no onward executable is found.</summary>
    public static string? For(string directory) => Executable() is { } executable
        ? $"exec {executable} forward --dir {Placeholders.QuoteWord(directory)}"
        : null;

    private static string? Executable()
    {
        var process = Environment.ProcessPath;
        var dotnet = process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : "dotnet";
        string Run(string path) => path.EndsWith(".dll", StringComparison.Ordinal)
            ? $"{Placeholders.QuoteWord(dotnet)} {Placeholders.QuoteWord(path)}"
            : Placeholders.QuoteWord(path);
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } named)
        {
            return Run(Path.GetFullPath(named));
        }
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "onward")
        {
            return Run(process);
        }
        if (Assembly.GetEntryAssembly() is { } entry && entry.GetName().Name == "onward" && entry.Location.Length > 0)
        {
            return Run(entry.Location);
        }
        var beside = Path.Combine(AppContext.BaseDirectory, "onward.dll");
        return File.Exists(beside) ? Run(beside) : null;
    }
}
