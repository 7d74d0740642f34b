namespace Onward.Integrations.LocalProcesses;

public enum ProcessState
{
    NotStarted,
    Running,
    Exited,

    /// <summary>Started, gone, and no exit status recorded (killed with its whole group, or the host restarted).</summary>
    Vanished,
}

public sealed record ProcessStatus(ProcessState State, int? Pid, int? ExitCode);
