using System.Text;
using Onward.Core.Configuration;
using Onward.Integrations.Registry;
using Onward.Testing;
using Onward.Core.Images;

namespace Onward.Integrations.Tests.Registry;

public class RegistryClientTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static async Task<(string Context, string Storage)> ContextAsync(TempDirectory dir)
    {
        var repo = await GitRepository.InitAsync(dir.Combine("ctx"));
        await TestImages.AddToAsync(repo);
        Directory.CreateDirectory(dir.Combine("buildah"));
        return (repo.Path, dir.Combine("buildah"));
    }

    [Fact]
    public async Task A_tag_resolves_to_the_digest_buildah_pushed_and_its_config_is_read_back()
    {
        await using var dir = new TempDirectory();
        await using var registry = await LocalRegistry.StartAsync();
        var (context, storage) = await ContextAsync(dir);
        var pushed = await TestImages.BuildAndPushAsync(context, $"{registry.Host}/acme/hello:v1", storage);
        using var client = new RegistryClient([new RegistryConfig(registry.Host, true, null, null, null)]);
        var image = ImageReference.Parse($"{registry.Host}/acme/hello:v1");

        var digest = await client.ResolveDigestAsync(image, None);
        var manifest = await client.GetManifestAsync(image, digest!, None);
        var config = await client.GetConfigAsync(image, manifest, None);

        digest.ShouldBe(pushed);
        manifest.Layers.ShouldNotBeEmpty();
        config.Entrypoint.ShouldBe(["/app/hello"]);
        config.WorkingDir.ShouldBe("/app");
        config.Env.ShouldContain("GREETING=Hello");
        (await client.ResolveDigestAsync(image with { Tag = "nope" }, None)).ShouldBeNull();
        (await client.ResolveDigestAsync(ImageReference.Parse($"{registry.Host}/acme/other:v1"), None)).ShouldBeNull();
    }

    [Fact]
    public async Task A_registry_behind_basic_auth_needs_the_right_credentials_and_never_sees_them_printed()
    {
        await using var dir = new TempDirectory();
        await using var open = await LocalRegistry.StartAsync();
        await using var locked = await LocalRegistry.StartAsync(("ci", "s3cret-pass"));
        var (context, storage) = await ContextAsync(dir);
        var reference = $"{open.Host}/acme/hello:v1";
        await TestImages.BuildAndPushAsync(context, reference, storage);
        var image = ImageReference.Parse($"{locked.Host}/acme/hello:v1");

        using var anonymous = new RegistryClient([new RegistryConfig(locked.Host, true, null, null, null)]);
        var refused = await Should.ThrowAsync<RegistryException>(() => anonymous.ResolveDigestAsync(image, None));
        refused.Message.ShouldContain($"{locked.Host} wants credentials");

        using var wrong = new RegistryClient([new RegistryConfig(locked.Host, true, "ci", "not-it", null)]);
        var denied = await Should.ThrowAsync<RegistryException>(() => wrong.ResolveDigestAsync(image, None));
        denied.Message.ShouldBe($"{locked.Host} refused the credentials of user 'ci' for acme/hello");
        denied.Message.ShouldNotContain("not-it");

        using var right = new RegistryClient([new RegistryConfig(locked.Host, true, "ci", "s3cret-pass", null)]);
        (await right.ResolveDigestAsync(image, None)).ShouldBeNull("authenticated, and the image is not there yet");

        var dockerConfig = dir.Combine("docker-config.json");
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("ci:s3cret-pass"));
        await File.WriteAllTextAsync(dockerConfig, System.Text.Json.JsonSerializer.Serialize(
            new { auths = new Dictionary<string, object> { [locked.Host] = new { auth } } }));
        using var fromFile = new RegistryClient([new RegistryConfig(locked.Host, true, null, null, dockerConfig)]);
        (await fromFile.ResolveDigestAsync(image, None)).ShouldBeNull();
    }
}
