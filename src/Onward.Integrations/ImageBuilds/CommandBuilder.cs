using Onward.Core.Builds;
using Onward.Core.Configuration;
using Onward.Core.Pipeline;
using Onward.Core.Releases;
using Onward.Integrations.Git;
using Onward.Integrations.LocalProcesses;

namespace Onward.Integrations.ImageBuilds;

/// <summary>
/// The <c>command</c> builder: runs the service's build command in a fresh clone of the release's exact commit and
/// keeps what it writes to <c>{artifact}</c> under <c>dataDir/artifacts/SERVICE/FULL-SHA</c>. The build runs detached,
/// so it survives a restart of Onward, and its log is a file that can be read while it grows.
/// </summary>
public sealed class CommandBuilder(string dataDir, GitSourceRepository source, TimeProvider time, IJobQueue? jobs = null) : IBuilder
{
    public const int LogTailLines = 50;
    private readonly BuildLogs _logs = new(dataDir);

    public string ArtifactPath(Release release) => Path.Combine(dataDir, "artifacts", release.Service, release.Commit);

    private string BuildDirectory(Release release) => _logs.ProcessOf(release).Directory;

    public async Task<BuildProgress> StepAsync(Release release, ServiceConfig service, CancellationToken cancellationToken)
    {
        var artifact = ArtifactPath(release);
        var process = _logs.ProcessOf(release);
        var status = process.Status();
        switch (status.State)
        {
            case ProcessState.NotStarted when File.Exists(Path.Combine(artifact, ".onward-built")):
                Directory.CreateDirectory(process.Directory);
                await File.WriteAllTextAsync(process.OutputFile,
                    $"The artifact of commit {release.Commit} was built before; it is reused for {release.Version}.\n", cancellationToken);
                return Built(artifact);
            case ProcessState.NotStarted:
                await StartAsync(release, service, process, cancellationToken);
                return StepResult.Wait(TimeSpan.FromMilliseconds(10));
            case ProcessState.Running:
                return StepResult.Wait(BuildLogs.Recheck(process, time));
            case ProcessState.Exited when status.ExitCode == 0:
                return Finish(release, artifact);
            case ProcessState.Exited:
                return StepResult.Fail(
                    $"the build command exited with code {status.ExitCode}",
                    $"last {LogTailLines} lines of the build log:\n{process.Tail(LogTailLines)}");
            default:
                return StepResult.Fail(
                    "the build process disappeared without an exit status (killed, or the host restarted)",
                    $"last {LogTailLines} lines of the build log:\n{process.Tail(LogTailLines)}");
        }
    }

    public Task<string?> ReadLogAsync(Release release, CancellationToken cancellationToken) => _logs.ReadAsync(release, cancellationToken);

    public Task NoteAsync(Release release, string line, CancellationToken cancellationToken) => _logs.NoteAsync(release, line, cancellationToken);

    public Task CancelAsync(Release release, CancellationToken cancellationToken) =>
        _logs.ProcessOf(release).StopAsync(TimeSpan.FromSeconds(5), cancellationToken);

    private async Task StartAsync(Release release, ServiceConfig service, DetachedProcess process, CancellationToken cancellationToken)
    {
        var command = service.Build.Command ?? throw new InvalidOperationException($"service {service.Name} has no command builder");
        var work = Path.Combine(process.Directory, "src");
        var staging = StagingPath(release);
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }
        Directory.CreateDirectory(staging);
        Directory.CreateDirectory(process.Directory);
        await WorkTree.CheckOutAsync(source.MirrorPath(release.Service), release.Commit, work, cancellationToken);
        var values = new Dictionary<string, string>
        {
            ["artifact"] = staging,
            ["version"] = release.Version,
            ["commit"] = release.Commit,
        };
        var run = Placeholders.FillShell(command.Run, values);
        await File.WriteAllTextAsync(process.OutputFile,
            $"Building {release.Service} {release.Version} at {release.Commit}\n$ {run.Shown}\n", cancellationToken);
        var environment = new Dictionary<string, string>(run.Environment)
        {
            ["ONWARD_ARTIFACT"] = staging,
            ["ONWARD_VERSION"] = release.Version,
            ["ONWARD_COMMIT"] = release.Commit,
            ["ONWARD_SERVICE"] = release.Service,
        };
        await process.StartAsync(run.Command, work, environment, cancellationToken, () => jobs?.Wake(JobKind.Build, release.Id));
    }

    private static BuildProgress Built(string artifact) => new(StepResult.Done(artifact), new BuildResult(artifact, null, null));

    private BuildProgress Finish(Release release, string artifact)
    {
        var staging = StagingPath(release);
        if (Directory.Exists(staging))
        {
            if (Directory.Exists(artifact))
            {
                Directory.Delete(artifact, recursive: true);
            }
            Directory.Move(staging, artifact);
            File.WriteAllText(Path.Combine(artifact, ".onward-built"), release.Commit);
        }
        var work = Path.Combine(BuildDirectory(release), "src");
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
        return Directory.Exists(artifact)
            ? Built(artifact)
            : StepResult.Fail("the build finished but its artifact directory is missing");
    }

    private string StagingPath(Release release) =>
        Path.Combine(dataDir, "artifacts", release.Service, $"{release.Commit}.partial-{release.Id}");
}
