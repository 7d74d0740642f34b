using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Onward.Core.Configuration;

namespace Onward.Integrations.LocalProcesses;

/// <summary>
/// A shell command run in its own session (<c>setsid</c>), with its pid, output and exit status kept as files in one
/// directory. It outlives the Onward process that started it, and any later Onward process can read its state or
/// stop it from those files alone.
/// </summary>
public sealed partial class DetachedProcess(string directory)
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    public string Directory { get; } = directory;

    public string OutputFile => Path.Combine(Directory, "output.log");

    private string PidFile => Path.Combine(Directory, "pid");

    private string ExitFile => Path.Combine(Directory, "exit");

    public bool HasStarted => File.Exists(PidFile);

    /// <summary>When the process was started, from its pid file.</summary>
    public DateTimeOffset? StartedAt => HasStarted ? File.GetLastWriteTimeUtc(PidFile) : null;

    /// <summary>Starts the command unless this directory already holds a started process. Returns its pid.</summary>
    /// <param name="exited">Called when the process ends, if this Onward process is still running then: the step waiting for it looks at once.</param>
    public async Task<int> StartAsync(
        string command, string workingDirectory, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, Action? exited = null)
    {
        if (Status() is { Pid: { } existing })
        {
            return existing;
        }
        System.IO.Directory.CreateDirectory(Directory);
        File.Delete(ExitFile);
        var script = Path.Combine(Directory, "run.sh");
        // The wrapper sends all output to a file (a pipe to Onward would break when Onward stops), runs the command in
        // a subshell so that an `exec` in it cannot skip the last line, and records the exit status. It forks
        // nothing else: every process started here delays the deployment waiting for it.
        var text = new StringBuilder()
            .Append("exec </dev/null >>").Append(Placeholders.QuoteWord(OutputFile)).Append(" 2>&1\n")
            .Append("(\n").Append(command).Append("\n)\n")
            .Append("echo $? > ").Append(Placeholders.QuoteWord(ExitFile)).Append('\n')
            .ToString();
        await File.WriteAllTextAsync(script, text, cancellationToken);
        var info = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add("/bin/sh");
        info.ArgumentList.Add(script);
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        int pid;
        using (var process = Process.Start(info) ?? throw new InvalidOperationException("setsid could not be started"))
        {
            // setsid does not fork when its caller is not a process group leader (a child of Onward never is), so this
            // pid is the shell's, and the shell leads the new session and process group.
            pid = process.Id;
            // Reap it when it ends, so that it does not linger as a zombie of this process, and say so.
            _ = process.WaitForExitAsync(CancellationToken.None).ContinueWith(_ => exited?.Invoke(), TaskScheduler.Default);
        }
        // The kernel's start time goes with the pid, so that a reused pid is never mistaken for this process.
        var temporary = PidFile + ".tmp";
        await File.WriteAllTextAsync(temporary, $"{pid} {StartTimeOf(pid)}", cancellationToken);
        File.Move(temporary, PidFile, overwrite: true);
        return pid;
    }

    public ProcessStatus Status()
    {
        if (!TryReadPid(out var pid, out var startTime))
        {
            return new ProcessStatus(ProcessState.NotStarted, null, null);
        }
        if (ReadExitCode() is { } exited)
        {
            return new ProcessStatus(ProcessState.Exited, pid, exited);
        }
        if (IsAlive(pid, startTime))
        {
            return new ProcessStatus(ProcessState.Running, pid, null);
        }
        // It may have written its exit status between the two looks.
        return ReadExitCode() is { } code
            ? new ProcessStatus(ProcessState.Exited, pid, code)
            : new ProcessStatus(ProcessState.Vanished, pid, null);
    }

    /// <summary>Stops the whole process group: SIGTERM, then SIGKILL after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (!TryReadPid(out var pid, out var startTime) || !IsAlive(pid, startTime))
        {
            return;
        }
        _ = Kill(-pid, SigTerm);
        var deadline = DateTime.UtcNow + grace;
        while (DateTime.UtcNow < deadline && IsAlive(pid, startTime))
        {
            await Task.Delay(20, cancellationToken);
        }
        if (IsAlive(pid, startTime))
        {
            _ = Kill(-pid, SigKill);
            // SIGKILL cannot be caught, but the kernel takes a moment: stopped means gone when this returns.
            var killed = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (DateTime.UtcNow < killed && IsAlive(pid, startTime))
            {
                await Task.Delay(10, cancellationToken);
            }
        }
    }

    /// <summary>Forgets a finished process so that the directory can run its command again.</summary>
    public void Reset()
    {
        if (Status().State == ProcessState.Running)
        {
            throw new InvalidOperationException("a running process cannot be reset");
        }
        File.Delete(PidFile);
        File.Delete(ExitFile);
    }

    /// <summary>The last <paramref name="lines"/> lines of the output.</summary>
    public string Tail(int lines) => TailOf(OutputFile, lines);

    public static string TailOf(string file, int lines)
    {
        if (!File.Exists(file))
        {
            return "";
        }
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        const int window = 64 * 1024;
        stream.Seek(Math.Max(0, stream.Length - window), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var all = text.Split('\n');
        var end = all.Length > 0 && all[^1].Length == 0 ? all.Length - 1 : all.Length;
        return string.Join('\n', all[Math.Max(0, end - lines)..end]);
    }

    private int? ReadExitCode()
    {
        try
        {
            return File.Exists(ExitFile) && int.TryParse(File.ReadAllText(ExitFile).Trim(), out var code) ? code : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private bool TryReadPid(out int pid, out string startTime)
    {
        pid = 0;
        startTime = "";
        try
        {
            var parts = File.Exists(PidFile) ? File.ReadAllText(PidFile).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
            if (parts.Length < 1 || !int.TryParse(parts[0], out pid))
            {
                return false;
            }
            startTime = parts.Length > 1 ? parts[1] : "";
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Alive: /proc has it, with the recorded start time (not a reused pid), and it is not a zombie.</summary>
    private static bool IsAlive(int pid, string startTime) =>
        ReadStat(pid) is { } stat && stat.State != "Z" && stat.State != "X" && (startTime.Length == 0 || stat.StartTime == startTime);

    private static string StartTimeOf(int pid) => ReadStat(pid)?.StartTime ?? "";

    /// <summary>Field 3 (state) and field 22 (start time) of /proc/PID/stat (proc(5)).</summary>
    private static (string State, string StartTime)? ReadStat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name in field 2 is parenthesised and may hold spaces; fields after it are plain.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (rest[0], rest[19]);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
