using Onward.Contracts.Deployments;
using System.Net;
using System.Net.Http.Json;
using Onward.Contracts.Releases;
using Onward.Core.Configuration;
using Onward.Integrations.Registry;
using Onward.Testing;
using Onward.Core.Images;

namespace Onward.Server.Tests.Images;

/// <summary>The whole path with containers: push → buildah → registry → release with digest → image unpacked and running.</summary>
public class ImageReleaseTests
{
    private static string ServiceYaml(string repository, string image, string builder = "buildah") => $$"""
          shop:
            repository: {{repository}}
            poll: 200ms
            build: { {{builder}}: { image: {{image}} } }
            deploy:
              local: { healthUrl: "http://127.0.0.1:{port}/healthz" }
            verify: { timeout: 20s }
        """;

    private static string Yaml(LocalRegistry registry, string repository, string builder = "buildah", string credentials = "") => TestConfig.Yaml(Ports.Free(),
        [TestConfig.AutoEnvironment("dev-1"), TestConfig.AutoEnvironment("dev-2")],
        [ServiceYaml(repository, $"{registry.Host}/acme/shop", builder)],
        $"registries: {{ \"{registry.Host}\": {{ insecure: true{credentials} }} }}");

    [Fact]
    public async Task A_push_is_built_with_buildah_pushed_by_digest_and_runs_unpacked_in_both_dev_environments()
    {
        await using var dir = new TempDirectory();
        await using var registry = await LocalRegistry.StartAsync();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await TestImages.AddToAsync(repo, greeting: "Bonjour");
        var commit = await repo.CommitAsync("image");
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(registry, repo.Path));

        var release = await onward.Api.BuiltReleaseAsync("shop", commit);

        release.State.ShouldBe("Built", await onward.Api.Http.GetStringAsync($"api/v1/releases/{release.Id}/log"));
        release.Image.ShouldBe($"{registry.Host}/acme/shop");
        release.Digest.ShouldStartWith("sha256:");
        using var client = new RegistryClient([new RegistryConfig(registry.Host, true, null, null, null)]);
        var tagged = ImageReference.Parse($"{registry.Host}/acme/shop:{commit[..7]}");
        (await client.ResolveDigestAsync(tagged, CancellationToken.None)).ShouldBe(release.Digest);
        var config = await client.GetConfigAsync(tagged, await client.GetManifestAsync(tagged, release.Digest!, CancellationToken.None), CancellationToken.None);
        config.Labels["org.opencontainers.image.revision"].ShouldBe(commit);
        config.Labels["org.opencontainers.image.version"].ShouldBe(commit[..7]);
        config.Labels["org.opencontainers.image.source"].ShouldBe(repo.Path);
        DateTimeOffset.Parse(config.Labels["org.opencontainers.image.created"], System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBe(release.BuildStartedAt!.Value, TimeSpan.FromMinutes(1));
        foreach (var environment in new[] { "dev-1", "dev-2" })
        {
            (await onward.Api.FinishedDeploymentAsync("shop", environment, commit)).State.ShouldBe(DeploymentState.Succeeded);
        }
        foreach (var environment in (await onward.Api.ServiceAsync("shop")).Environments)
        {
            (await OnwardApi.AnswerAsync(environment.Url + "/")).ShouldBe($"Bonjour {commit[..7]} in {environment.Name}");
        }
        Directory.Exists(Path.Combine(onward.Config.Server.DataDir, "images", release.Digest!.Replace(':', '-'), "rootfs", "app")).ShouldBeTrue();
    }

    [Fact]
    public async Task A_version_tag_is_pushed_under_its_version_and_its_short_hash()
    {
        await using var dir = new TempDirectory();
        await using var registry = await LocalRegistry.StartAsync();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await TestImages.AddToAsync(repo);
        var first = await repo.CommitAsync("first");
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(registry, repo.Path));
        await onward.Api.BuiltReleaseAsync("shop", first);
        var commit = await repo.CommitAsync("release");
        await onward.Api.BuiltReleaseAsync("shop", commit);
        await repo.TagAsync("1.2.0", annotated: true);

        var tagged = await Eventually.WaitAsync(async () => (await onward.Api.ReleasesAsync("shop")).FirstOrDefault(r => r.Version == "1.2.0" && r.State != "Building"), "release 1.2.0");

        tagged.State.ShouldBe("Built");
        tagged.Commit.ShouldBe(commit);
        tagged.ReleaseCandidate.ShouldBeTrue();
        using var client = new RegistryClient([new RegistryConfig(registry.Host, true, null, null, null)]);
        (await client.ResolveDigestAsync(ImageReference.Parse($"{registry.Host}/acme/shop:1.2.0"), CancellationToken.None)).ShouldBe(tagged.Digest);
        (await client.ResolveDigestAsync(ImageReference.Parse($"{registry.Host}/acme/shop:{commit[..7]}"), CancellationToken.None)).ShouldNotBeNull();
    }

    [Fact]
    public async Task Pushing_to_a_registry_behind_basic_auth_uses_the_configured_credentials()
    {
        await using var dir = new TempDirectory();
        await using var registry = await LocalRegistry.StartAsync(("ci", "p4ss"));
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await TestImages.AddToAsync(repo);
        var commit = await repo.CommitAsync();
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(registry, repo.Path, credentials: ", username: ci, password: p4ss"));

        var release = await onward.Api.BuiltReleaseAsync("shop", commit);

        release.State.ShouldBe("Built");
        var log = await onward.Api.Http.GetStringAsync($"api/v1/releases/{release.Id}/log");
        log.ShouldNotContain("p4ss");
        (await onward.Api.FinishedDeploymentAsync("shop", "dev-1", commit)).State.ShouldBe(DeploymentState.Succeeded);
        Directory.GetFiles(Path.Combine(onward.Config.Server.DataDir, "builds"), "auth.json", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_missing_containerfile_fails_the_build_with_a_clear_reason()
    {
        await using var dir = new TempDirectory();
        await using var registry = await LocalRegistry.StartAsync();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        var commit = await repo.CommitAsync("no Containerfile yet");
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(registry, repo.Path));

        var release = await onward.Api.BuiltReleaseAsync("shop", commit);

        release.State.ShouldBe("BuildFailed");
        release.Failure!.ShouldStartWith($"Containerfile does not exist in shop at {commit[..7]}");
        (await onward.Api.DeploymentsAsync("shop")).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_external_ci_registers_its_image_which_is_checked_pinned_by_digest_and_deployed()
    {
        await using var dir = new TempDirectory();
        await using var registry = await LocalRegistry.StartAsync();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await TestImages.AddToAsync(repo, greeting: "Hej");
        var commit = await repo.CommitAsync();
        Directory.CreateDirectory(dir.Combine("ci"));
        var digest = await TestImages.BuildAndPushAsync(repo.Path, $"{registry.Host}/acme/shop:{commit[..7]}", dir.Combine("ci"));
        await using var onward = await OnwardHost.StartAsync(dir.Path, Yaml(registry, repo.Path, builder: "external"));

        var missing = await onward.Api.Http.PostAsJsonAsync("api/v1/releases",
            new ReleaseRegistration("shop", commit, null, $"{registry.Host}/acme/shop:not-pushed"));
        missing.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await missing.Content.ReadAsStringAsync()).ShouldContain($"{registry.Host}/acme/shop:not-pushed does not exist in its registry");

        var elsewhere = await onward.Api.Http.PostAsJsonAsync("api/v1/releases",
            new ReleaseRegistration("shop", commit, null, $"{registry.Host}/other/shop:{commit[..7]}"));
        elsewhere.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);

        var abbreviated = await OnwardCli.RunAsync(null, "releases", "register", "--server", onward.Config.Server.Listen.ToString(),
            "--service", "shop", "--commit", commit[..10], "--image", $"{registry.Host}/acme/shop:{commit[..7]}");
        abbreviated.ExitCode.ShouldBe(1);
        abbreviated.Error.ShouldContain($"`commit` must be a full commit id (40 or 64 hexadecimal digits), not '{commit[..10]}'");

        var registered = await OnwardCli.RunAsync(null, "releases", "register", "--server", onward.Config.Server.Listen.ToString(),
            "--service", "shop", "--commit", commit, "--image", $"{registry.Host}/acme/shop:{commit[..7]}", "--json");

        registered.ExitCode.ShouldBe(0, registered.Error);
        var release = System.Text.Json.JsonSerializer.Deserialize<ReleaseResponse>(registered.Output, OnwardApi.Json)!;
        release.Commit.ShouldBe(commit);
        release.Version.ShouldBe(commit[..7]);
        release.Digest.ShouldBe(digest);
        release.State.ShouldBe("Built");
        (await onward.Api.FinishedDeploymentAsync("shop", "dev-2", commit)).State.ShouldBe(DeploymentState.Succeeded);
        var url = (await onward.Api.ServiceAsync("shop")).Environments.Single(e => e.Name == "dev-2").Url;
        (await OnwardApi.AnswerAsync(url + "/")).ShouldBe($"Hej {commit[..7]} in dev-2");
    }
}
