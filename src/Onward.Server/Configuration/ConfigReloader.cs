using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using Onward.Core.Configuration;

namespace Onward.Server.Configuration;

/// <summary>
/// Loads onward.yaml again when it changes on disk or the server gets <c>SIGHUP</c>: the new text is validated
/// whole, and applied only when it is valid; an invalid edit keeps the running configuration and is said in the log
/// (with file:line:column), on <c>GET /api/v1/server</c> and in the web UI. Settings that cannot change while
/// running (the listen address, the database, …) keep their value and are said to need a restart. Each replica
/// reloads its own file.
/// </summary>
public sealed class ConfigReloader(ConfigOrigin? origin, ConfigSource configuration, ConfigStatus status, TimeProvider time, ILogger<ConfigReloader> logger)
    : BackgroundService
{
    public const string Hangup = "SIGHUP";

    /// <summary>Editors write a file in several steps; a reload waits for them to settle.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// How often the file's content is compared besides: a change the file system does not report (a symbolic link
    /// swapped to another target, as a mounted Kubernetes ConfigMap is updated) is still taken on.
    /// </summary>
    private static readonly TimeSpan LookAnyway = TimeSpan.FromSeconds(10);

    private readonly Channel<string> _asked = Channel.CreateUnbounded<string>();
    private byte[]? _lastSeen;

    /// <summary>Loads the file again now, even when its content did not change (what SIGHUP does).</summary>
    public void Reload(string why) => _asked.Writer.TryWrite(why);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (origin is null)
        {
            return;
        }
        var full = Path.GetFullPath(origin.Path);
        _lastSeen = origin.LoadedDigest;
        var watchers = new List<FileSystemWatcher> { Watch(full) };
        // A file that is a link to another folder's file is watched there too: that is where an editor writes.
        if (ResolvedTarget(full) is { } target && Path.GetDirectoryName(target) != Path.GetDirectoryName(full))
        {
            watchers.Add(Watch(target));
        }
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            Reload(Hangup);
        });
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                using (var look = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    look.CancelAfter(LookAnyway);
                    try
                    {
                        await _asked.Reader.WaitToReadAsync(look.Token);
                        await Task.Delay(Settle, time, stoppingToken);
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                    }
                }
                var reasons = new HashSet<string>(StringComparer.Ordinal);
                while (_asked.Reader.TryRead(out var why))
                {
                    reasons.Add(why);
                }
                var seen = Digest(full);
                if (reasons.Contains(Hangup) || !SameContent(seen, _lastSeen))
                {
                    _lastSeen = seen;
                    try
                    {
                        Apply(full, reasons.Contains(Hangup) ? Hangup : "the file changed");
                    }
                    catch (Exception e)
                    {
                        // Whatever goes wrong in a reload, the server runs on with what it has.
                        status.Refused([$"{full}: the edit could not be applied ({e.Message}); the running configuration stays"]);
                        logger.LogError(e, "Loading {File} again failed, so the running configuration stays", full);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var watcher in watchers)
            {
                watcher.Dispose();
            }
        }
    }

    private FileSystemWatcher Watch(string file)
    {
        var watcher = new FileSystemWatcher(Path.GetDirectoryName(file)!, Path.GetFileName(file))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        watcher.Changed += (_, _) => Reload("changed");
        watcher.Created += (_, _) => Reload("changed");
        watcher.Renamed += (_, _) => Reload("changed");
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private static string? ResolvedTarget(string file)
    {
        try
        {
            return File.ResolveLinkTarget(file, returnFinalTarget: true)?.FullName;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The digest of the file's content; null when it cannot be read (being replaced, gone).</summary>
    public static byte[]? Digest(string file)
    {
        try
        {
            return SHA256.HashData(File.ReadAllBytes(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Unchanged: the same content, or still unreadable (said once, when it became so).</summary>
    private static bool SameContent(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    private void Apply(string path, string why)
    {
        ConfigLoadResult load;
        try
        {
            load = ConfigFile.Load(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable (permissions, replaced at this moment): the running configuration stays, and the server too.
            status.Refused([$"{path}: cannot be read ({e.Message}); the running configuration stays"]);
            logger.LogError("{File} changed ({Why}) but cannot be read ({Reason}), so the running configuration stays", path, why, e.Message);
            return;
        }
        if (!load.IsValid)
        {
            var problems = load.Problems.Select(p => p.ToString()).ToList();
            status.Refused(problems);
            logger.LogError("{File} was edited ({Why}) but is not valid, so the running configuration stays: {Problems}", path, why, string.Join("; ", problems));
            return;
        }
        var running = configuration.Current;
        var edited = origin!.Adjust(load.Config!);
        var needsRestart = ConfigChanges.NeedingRestart(running, edited);
        configuration.Replace(ConfigChanges.Applicable(running, edited));
        status.Loaded(needsRestart);
        logger.LogInformation("{File} loaded again ({Why}): {Services} service(s), {Environments} environment(s){Restart}", path, why, edited.Services.Count, edited.Environments.Count,
            needsRestart.Count == 0 ? "" : $"; {string.Join(", ", needsRestart)} changed too and {(needsRestart.Count == 1 ? "needs" : "need")} a restart of the server to apply");
    }
}
