using System.Diagnostics;
using System.Text;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// A process that renders manifests (<c>kustomize build</c>, a <c>render.command</c>): its standard output is the
/// manifests, kept up to <see cref="MostOutput"/>; the tail of its standard error explains a failure. It is killed,
/// with everything it started, when it runs past its time or the step is cancelled.
/// </summary>
public static class RenderProcess
{
    /// <summary>More manifests than this is a runaway command, not a release.</summary>
    public const int MostOutput = 16 * 1024 * 1024;

    private const int ErrorLines = 20;

    public sealed record Outcome(int ExitCode, string Output, string ErrorTail, bool TimedOut, bool TooLarge);

    public static async Task<Outcome> RunAsync(
        string file, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} could not be started");
        process.StandardInput.Close();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var output = new StringBuilder();
        var tooLarge = false;
        var reading = Task.Run(async () =>
        {
            var buffer = new char[64 * 1024];
            int read;
            while ((read = await process.StandardOutput.ReadAsync(buffer, limit.Token)) > 0)
            {
                if (output.Length + read > MostOutput)
                {
                    tooLarge = true;
                    await limit.CancelAsync();
                    return;
                }
                output.Append(buffer, 0, read);
            }
        }, CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(limit.Token);
            await reading;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            timedOut = !tooLarge;
        }
        var tail = string.Join('\n', (await error).Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(ErrorLines));
        return new Outcome(process.HasExited ? process.ExitCode : -1, output.ToString(), tail, timedOut, tooLarge);
    }

    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    /// <summary>The helm charts are rendered with: the one ONWARD_HELM names, else helm on the PATH.</summary>
    public static string? FindHelm() =>
        Environment.GetEnvironmentVariable("ONWARD_HELM") is { Length: > 0 } configured && File.Exists(configured) ? configured : Find("helm");

    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
