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

        var built = await Commands.OutputAsync(Path.Combine(Paths.RepositoryRoot, "scripts", "image.sh"), new Dictionary<string, string> { ["ONWARD_BUILDAH_ROOT"] = root }, reference);

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
        (await Commands.OutputAsync("buildah", [.. storage, "inspect", "--format", "{{.OCIv1.Config.User}} {{.OCIv1.Config.Entrypoint}}", reference]))
            .Trim().ShouldBe("10001:10001 [/usr/local/bin/onward]");
        var container = (await Commands.OutputAsync("buildah", [.. storage, "from", reference])).Trim();
        // onward --version from the image's own file system, as the image's user (chroot isolation: no container engine here).
        (await Commands.OutputAsync("buildah", [.. storage, "run", "--isolation", "chroot", "--user", "10001:10001", container, "--", "/usr/local/bin/onward", "--version"]))
            .ShouldStartWith("1.0.0");
        (await Commands.OutputAsync("buildah", [.. storage, "run", "--isolation", "chroot", container, "--", "git", "--version"])).ShouldStartWith("git version");
        await Commands.OutputAsync("buildah", [.. storage, "rm", container]);
    }
}
