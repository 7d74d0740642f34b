using System.Text.Json;
using System.Text;
using Onward.Core.Builds;
using Onward.Core.Configuration;
using Onward.Core.Pipeline;
using Onward.Core.Releases;
using Onward.Integrations.Git;
using Onward.Integrations.LocalProcesses;
using Onward.Integrations.Registry;
using Onward.Core.Images;

namespace Onward.Integrations.ImageBuilds;

/// <summary>
/// The <c>buildah</c> and <c>docker</c> builders: build the service's Containerfile in a clean clone of the release's
/// commit, tag it <c>REPO:SHORT-HASH</c> (and <c>REPO:VERSION</c> for version refs), label it with the OCI
/// annotations, push it, and record the pushed manifest's digest. buildah runs daemonless
/// (<c>--storage-driver vfs --isolation chroot</c>, storage under <c>dataDir/buildah</c>); docker uses
/// <c>docker buildx build --push</c> on a host with an engine.
/// </summary>
public sealed class ImageBuilder(OnwardConfig config, string dataDir, GitSourceRepository source, TimeProvider time, IJobQueue? jobs = null) : IBuilder
{
    private readonly BuildLogs _logs = new(dataDir);

    public async Task<BuildProgress> StepAsync(Release release, ServiceConfig service, CancellationToken cancellationToken)
    {
        var process = _logs.ProcessOf(release);
        var status = process.Status();
        var image = service.Build.ImageRepository!;
        switch (status.State)
        {
            case ProcessState.NotStarted:
                return await StartAsync(release, service, process, cancellationToken);
            case ProcessState.Running:
                return StepResult.Wait(BuildLogs.Recheck(process, time));
            case ProcessState.Exited when status.ExitCode == 0:
                var digestFile = Path.Combine(process.Directory, "digest");
                var digest = File.Exists(digestFile) ? File.ReadAllText(digestFile).Trim() : "";
                DeleteSecrets(process);
                return digest.StartsWith("sha256:", StringComparison.Ordinal)
                    ? new BuildProgress(StepResult.Done($"{image}@{digest}"), new BuildResult(null, image, digest))
                    : StepResult.Fail("the image was built and pushed, but the push recorded no digest", process.Tail(CommandBuilder.LogTailLines));
            case ProcessState.Exited:
                DeleteSecrets(process);
                return StepResult.Fail($"the image build exited with code {status.ExitCode}",
                    $"last {CommandBuilder.LogTailLines} lines of the build log:\n{process.Tail(CommandBuilder.LogTailLines)}");
            default:
                DeleteSecrets(process);
                return StepResult.Fail("the build process disappeared without an exit status (killed, or the host restarted)",
                    $"last {CommandBuilder.LogTailLines} lines of the build log:\n{process.Tail(CommandBuilder.LogTailLines)}");
        }
    }

    public Task<string?> ReadLogAsync(Release release, CancellationToken cancellationToken) => _logs.ReadAsync(release, cancellationToken);

    public Task NoteAsync(Release release, string line, CancellationToken cancellationToken) => _logs.NoteAsync(release, line, cancellationToken);

    public Task CancelAsync(Release release, CancellationToken cancellationToken) =>
        _logs.ProcessOf(release).StopAsync(TimeSpan.FromSeconds(5), cancellationToken);

    /// <summary>The shell script a build runs; public so that the docker variant, which needs an engine, is checked too.</summary>
    public string Script(Release release, ServiceConfig service, string work, string directory, DateTimeOffset created, bool authFile)
    {
        var build = service.Build.Buildah ?? service.Build.Docker ?? throw new InvalidOperationException($"service {service.Name} has no image builder");
        var image = ImageReference.Parse(build.Image);
        var insecure = RegistryCredentials.IsInsecure(image.Registry, config.Registries);
        var tags = new List<string> { $"{build.Image}:{Release.ShortHash(release.Commit)}" };
        if (release.Version != Release.ShortHash(release.Commit) && ImageReference.IsTag(release.Version))
        {
            tags.Add($"{build.Image}:{release.Version}");
        }
        var labels = new Dictionary<string, string>
        {
            ["org.opencontainers.image.revision"] = release.Commit,
            ["org.opencontainers.image.source"] = service.Repository.Url,
            ["org.opencontainers.image.version"] = release.Version,
            ["org.opencontainers.image.created"] = created.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        };
        var file = Path.Combine(work, build.File);
        var context = Path.Combine(work, build.Context);
        var q = Placeholders.QuoteWord;
        var common = new StringBuilder();
        foreach (var (key, value) in labels)
        {
            common.Append(" --label ").Append(q($"{key}={value}"));
        }
        common.Append(" --build-arg ").Append(q("ONWARD_COMMIT=" + release.Commit))
            .Append(" --build-arg ").Append(q("ONWARD_VERSION=" + release.Version))
            .Append(" -f ").Append(q(file));
        var script = new StringBuilder("set -e\n");
        if (service.Build.Buildah is not null)
        {
            var storage = $"--storage-driver vfs --root {q(Path.Combine(dataDir, "buildah", "storage"))} --runroot {q(Path.Combine(dataDir, "buildah", "run"))}";
            var auth = authFile ? $" --authfile {q(Path.Combine(directory, "auth.json"))}" : "";
            script.Append($"buildah {storage} bud --isolation chroot --layers=false{common}");
            foreach (var tag in tags)
            {
                script.Append(" -t ").Append(q(tag));
            }
            script.Append(' ').Append(q(context)).Append('\n');
            foreach (var tag in tags)
            {
                script.Append($"buildah {storage} push{auth} --tls-verify={(insecure ? "false" : "true")}");
                if (tag == tags[0])
                {
                    script.Append(" --digestfile ").Append(q(Path.Combine(directory, "digest")));
                }
                script.Append(' ').Append(q(tag)).Append('\n');
            }
            script.Append($"buildah {storage} rmi").Append(string.Concat(tags.Select(t => " " + q(t)))).Append(" >/dev/null\n");
        }
        else
        {
            // buildx writes the pushed manifest's digest into its metadata file as "containerimage.digest".
            var config = authFile ? $"DOCKER_CONFIG={q(directory)} " : "";
            script.Append($"{config}docker buildx build --push --provenance=false --metadata-file {q(Path.Combine(directory, "metadata.json"))}{common}");
            foreach (var tag in tags)
            {
                script.Append(" -t ").Append(q(tag));
            }
            script.Append(' ').Append(q(context)).Append('\n')
                .Append("sed -n 's/.*\"containerimage.digest\": *\"\\(sha256:[0-9a-f]*\\)\".*/\\1/p' ")
                .Append(q(Path.Combine(directory, "metadata.json"))).Append(" > ").Append(q(Path.Combine(directory, "digest"))).Append('\n');
        }
        return script.ToString();
    }

    private async Task<BuildProgress> StartAsync(Release release, ServiceConfig service, DetachedProcess process, CancellationToken cancellationToken)
    {
        var build = (service.Build.Buildah ?? service.Build.Docker)!;
        var work = Path.Combine(process.Directory, "src");
        Directory.CreateDirectory(process.Directory);
        await WorkTree.CheckOutAsync(source.MirrorPath(release.Service), release.Commit, work, cancellationToken);
        if (!File.Exists(Path.Combine(work, build.File)))
        {
            return StepResult.Fail(
                $"{build.File} does not exist in {release.Service} at {Release.ShortHash(release.Commit)}",
                $"the {(service.Build.Buildah is not null ? "buildah" : "docker")} builder looks for `{build.File}` in the repository (build.*.file, default Containerfile), with the context `{build.Context}`; add the file or point `file` at your Dockerfile");
        }
        var authFile = await WriteAuthAsync(build.Image, process.Directory, service.Build.Docker is not null, cancellationToken);
        var script = Script(release, service, work, process.Directory, time.GetUtcNow(), authFile);
        await File.WriteAllTextAsync(process.OutputFile,
            $"Building image {build.Image} for {release.Service} {release.Version} at {release.Commit}\n"
            + (release.Version == Release.ShortHash(release.Commit) || ImageReference.IsTag(release.Version) ? ""
                : $"The version {release.Version} cannot be an image tag (letters, digits, _ . - only); it is tagged {Release.ShortHash(release.Commit)} alone.\n"),
            cancellationToken);
        await process.StartAsync(script, work, new Dictionary<string, string>
        {
            ["ONWARD_VERSION"] = release.Version,
            ["ONWARD_COMMIT"] = release.Commit,
            ["BUILDAH_ISOLATION"] = "chroot",
        }, cancellationToken, () => jobs?.Wake(JobKind.Build, release.Id));
        return StepResult.Wait(TimeSpan.FromMilliseconds(50));
    }

    /// <summary>
    /// Credentials go to the push through a file readable only by Onward, never on a command line (where `ps` shows
    /// them) or in the log; the file is removed when the build ends.
    /// </summary>
    private async Task<bool> WriteAuthAsync(string image, string directory, bool docker, CancellationToken cancellationToken)
    {
        var host = ImageReference.Parse(image).Registry;
        if (RegistryCredentials.For(host, config.Registries) is not { } credentials)
        {
            return false;
        }
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.User}:{credentials.Password}"));
        var json = JsonSerializer.Serialize(new { auths = new Dictionary<string, object> { [host] = new { auth } } });
        var path = Path.Combine(directory, docker ? "config.json" : "auth.json");
        await File.WriteAllTextAsync(path, "", cancellationToken);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllTextAsync(path, json, cancellationToken);
        return true;
    }

    private static void DeleteSecrets(DetachedProcess process)
    {
        File.Delete(Path.Combine(process.Directory, "auth.json"));
        File.Delete(Path.Combine(process.Directory, "config.json"));
        var work = Path.Combine(process.Directory, "src");
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
