
namespace Onward.Server.Configuration;

/// <summary>What the server runs on: its version, its configuration file, when that was loaded, and what the last edit could not change.</summary>
public sealed class ConfigStatus(ConfigOrigin? origin, TimeProvider time)
{
    private volatile State _state = new(time.GetUtcNow(), null, []);


    public string? File => origin is null ? null : Path.GetFullPath(origin.Path);

    /// <summary>What a non-admin is told of a refused edit.</summary>
    public static string Withheld(int problems) => $"onward.yaml was edited but has {problems} problem(s); an admin sees them here, in the server's log, or with `onward validate`";

    public DateTimeOffset LoadedAt => _state.LoadedAt;

    /// <summary>Why the last edit was not applied (every problem with file:line:column); null when it was.</summary>
    public IReadOnlyList<string>? ReloadError => _state.ReloadError;

    /// <summary>Settings the file changed that the running server keeps until it restarts.</summary>
    public IReadOnlyList<string> NeedsRestart => _state.NeedsRestart;

    private int _generation;

    /// <summary>Counts the reloads, applied or refused, so that whoever shows the status knows when to look again.</summary>
    public int Generation => Volatile.Read(ref _generation);

    public void Loaded(IReadOnlyList<string> needsRestart)
    {
        _state = new State(time.GetUtcNow(), null, needsRestart);
        Interlocked.Increment(ref _generation);
    }

    public void Refused(IReadOnlyList<string> problems)
    {
        _state = _state with { ReloadError = problems };
        Interlocked.Increment(ref _generation);
    }

    private sealed record State(DateTimeOffset LoadedAt, IReadOnlyList<string>? ReloadError, IReadOnlyList<string> NeedsRestart);
}
