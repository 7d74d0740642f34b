using Onward.Core.Releases;
using Onward.Integrations.LocalProcesses;

namespace Onward.Integrations.ImageBuilds;

/// <summary>Every build runs as a detached process in <c>dataDir/builds/RELEASE-ID</c>; its output file is the build log.</summary>
public sealed class BuildLogs(string dataDir)
{
    public DetachedProcess ProcessOf(Release release) => new(Path.Combine(dataDir, "builds", release.Id.ToString()));

    public Task<string?> ReadAsync(Release release, CancellationToken cancellationToken)
    {
        var file = ProcessOf(release).OutputFile;
        if (!File.Exists(file))
        {
            return Task.FromResult<string?>(null);
        }
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return Task.FromResult<string?>(reader.ReadToEnd());
    }

    /// <summary>Appends a line of Onward's own, marked as such, to the build log.</summary>
    public async Task NoteAsync(Release release, string line, CancellationToken cancellationToken)
    {
        var process = ProcessOf(release);
        Directory.CreateDirectory(process.Directory);
        await File.AppendAllTextAsync(process.OutputFile, $"--- onward: {line}\n", cancellationToken);
    }

    /// <summary>Recheck soon after the start, less often the longer a build runs.</summary>
    public static TimeSpan Recheck(DetachedProcess process, TimeProvider time)
    {
        var elapsed = time.GetUtcNow() - (process.StartedAt ?? time.GetUtcNow());
        return TimeSpan.FromMilliseconds(Math.Clamp(elapsed.TotalMilliseconds / 10, 5, 1000));
    }
}
