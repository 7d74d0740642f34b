using System.Diagnostics;
using System.Net.Http.Headers;
using Onward.Testing;

namespace Onward.Server.Tests.Install;

/// <summary>Issue 25: scripts/image.sh builds an image of Onward from Debian packages and pushes it; the onward in it runs.</summary>
public class ImageTests
{
    [Fact]
    public async Task The_image_is_built_from_debian_packages_pushed_runs_onward_as_a_non_root_user_and_says_its_size()
    {
        Assert.SkipWhen(Environment.UserName != "root" || !File.Exists("/usr/bin/buildah") || !File.Exists("/usr/sbin/debootstrap"),
            "scripts/image.sh needs root, buildah and debootstrap (scripts/setup.sh installs them as root); the image was not built here");
        await using var dir = new TempDirectory();
        await using var registry = await LocalRegistry.StartAsync();
        var reference = $"{registry.Host}/platform/onward:test";
        var root = dir.Combine("buildah");

        var built = await RunAsync(Path.Combine(Paths.RepositoryRoot, "scripts", "image.sh"), new Dictionary<string, string> { ["ONWARD_BUILDAH_ROOT"] = root }, reference);

        built.ShouldContain($"image: pushed {reference}@sha256:");
        built.ShouldMatch(@"root file system \d+ MB before compression");
        using (var http = new HttpClient())
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{registry.Host}/v2/platform/onward/manifests/test");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.manifest.v1+json"));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
            (await http.SendAsync(request)).IsSuccessStatusCode.ShouldBeTrue("the registry has the image");
        }
        string[] storage = ["--storage-driver", "vfs", "--root", Path.Combine(root, "root"), "--runroot", Path.Combine(root, "run")];
        (await RunAsync("buildah", NoEnvironment, [.. storage, "inspect", "--format", "{{.OCIv1.Config.User}} {{.OCIv1.Config.Entrypoint}}", reference]))
            .Trim().ShouldBe("10001:10001 [/usr/local/bin/onward]");
        var container = (await RunAsync("buildah", NoEnvironment, [.. storage, "from", reference])).Trim();
        // onward --version from the image's own file system, as the image's user (chroot isolation: no container engine here).
        (await RunAsync("buildah", NoEnvironment, [.. storage, "run", "--isolation", "chroot", "--user", "10001:10001", container, "--", "/usr/local/bin/onward", "--version"]))
            .ShouldStartWith("1.0.0");
        (await RunAsync("buildah", NoEnvironment, [.. storage, "run", "--isolation", "chroot", container, "--", "git", "--version"])).ShouldStartWith("git version");
        await RunAsync("buildah", NoEnvironment, [.. storage, "rm", container]);
    }

    private static readonly Dictionary<string, string> NoEnvironment = [];

    private static async Task<string> RunAsync(string program, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, $"{program} {string.Join(' ', arguments)}: {await error}{await output}");
        return await output;
    }
}
