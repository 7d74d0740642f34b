using Onward.Core.Configuration;
using Onward.Core.Releases;
using Onward.Integrations.Git;
using Onward.Integrations.ImageBuilds;

namespace Onward.Integrations.Tests.ImageBuilds;

/// <summary>The build scripts; buildah's runs for real in the server tests, docker's needs an engine this machine lacks.</summary>
public class ImageBuilderTests
{
    private const string Commit = "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39";

    private static (ImageBuilder Builder, ServiceConfig Service) Setup(bool docker)
    {
        var image = new ImageBuildConfig("app", "build/Containerfile", "registry.example.com/acme/shop");
        var build = docker ? new BuildConfig(null, TimeSpan.FromMinutes(5)) { Docker = image } : new BuildConfig(null, TimeSpan.FromMinutes(5)) { Buildah = image };
        var service = new ServiceConfig("shop", "https://git.example.com/acme/shop.git", TimeSpan.FromSeconds(30), null,
            new(@"^(\d+\.)+\d+$"), new(@"^\d+\.\d+\.\d+$"), build, new DeployConfig(null, new LocalDeployConfig(null, "http://127.0.0.1:{port}/")), TimeSpan.FromMinutes(1));
        var config = new OnwardConfig(new ServerOptions(new Uri("http://127.0.0.1:8080"), "sqlite:x", "/data", 4), new AuthOptions(AuthMode.None), [], [service]);
        return (new ImageBuilder(config, "/data", new GitSourceRepository("/data"), TimeProvider.System), service);
    }

    private static Release VersionRelease() =>
        new(7, "shop", "1.4.0", Commit, "1.4.0", RefKind.Tag, true, null, ReleaseState.Building, null, DateTimeOffset.UtcNow, null, null);

    [Fact]
    public void Buildah_builds_daemonless_with_labels_and_build_args_and_pushes_both_tags()
    {
        var (builder, service) = Setup(docker: false);

        var script = builder.Script(VersionRelease(), service, "/work", "/data/builds/7", new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero), authFile: true);

        script.ShouldContain("buildah --storage-driver vfs --root '/data/buildah/storage' --runroot '/data/buildah/run' bud --isolation chroot");
        script.ShouldContain($"--label 'org.opencontainers.image.revision={Commit}'");
        script.ShouldContain("--label 'org.opencontainers.image.source=https://git.example.com/acme/shop.git'");
        script.ShouldContain("--label 'org.opencontainers.image.version=1.4.0'");
        script.ShouldContain("--label 'org.opencontainers.image.created=2026-11-26T12:00:00Z'");
        script.ShouldContain($"--build-arg 'ONWARD_COMMIT={Commit}' --build-arg 'ONWARD_VERSION=1.4.0' -f '/work/build/Containerfile'");
        script.ShouldContain("-t 'registry.example.com/acme/shop:3f2a9c1' -t 'registry.example.com/acme/shop:1.4.0' '/work/app'");
        script.ShouldContain("push --authfile '/data/builds/7/auth.json' --tls-verify=true --digestfile '/data/builds/7/digest' 'registry.example.com/acme/shop:3f2a9c1'");
        script.ShouldContain("push --authfile '/data/builds/7/auth.json' --tls-verify=true 'registry.example.com/acme/shop:1.4.0'");
    }

    [Fact]
    public void Docker_pushes_with_buildx_and_takes_the_digest_from_its_metadata_file()
    {
        var (builder, service) = Setup(docker: true);

        var script = builder.Script(VersionRelease(), service, "/work", "/data/builds/7", DateTimeOffset.UnixEpoch, authFile: true);

        script.ShouldContain("DOCKER_CONFIG='/data/builds/7' docker buildx build --push --provenance=false --metadata-file '/data/builds/7/metadata.json'");
        script.ShouldContain("-t 'registry.example.com/acme/shop:3f2a9c1' -t 'registry.example.com/acme/shop:1.4.0' '/work/app'");
        script.ShouldContain("containerimage.digest");
        script.ShouldContain("> '/data/builds/7/digest'");
    }

    [Fact]
    public void A_version_that_cannot_be_an_image_tag_is_tagged_by_its_short_hash_alone()
    {
        var (builder, service) = Setup(docker: false);

        var script = builder.Script(VersionRelease() with { Version = "release/1.4+b7" }, service, "/work", "/data/builds/7", DateTimeOffset.UnixEpoch, authFile: false);

        script.ShouldContain("-t 'registry.example.com/acme/shop:3f2a9c1' '/work/app'");
        script.ShouldNotContain("shop:release");
        script.ShouldContain("--build-arg 'ONWARD_VERSION=release/1.4+b7'");
    }
}
