using Onward.Core.Images;

namespace Onward.Core.Tests.Images;

/// <summary>
/// The grammar's own examples, from the distribution project's reference_test.go and normalize_test.go
/// (https://github.com/distribution/reference), read with docker's normalisation as Onward does.
/// </summary>
public class ImageReferenceTests
{
    private const string Sha = "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    [Theory]
    [InlineData("test_com", "docker.io", "library/test_com", null, null)]
    [InlineData("test.com:tag", "docker.io", "library/test.com", "tag", null)]
    [InlineData("test.com:5000", "docker.io", "library/test.com", "5000", null)]
    [InlineData("test.com/repo:tag", "test.com", "repo", "tag", null)]
    [InlineData("test:5000/repo", "test:5000", "repo", null, null)]
    [InlineData("test:5000/repo:tag", "test:5000", "repo", "tag", null)]
    [InlineData("test:5000/repo@" + Sha, "test:5000", "repo", null, Sha)]
    [InlineData("test:5000/repo:tag@" + Sha, "test:5000", "repo", "tag", Sha)]
    [InlineData("lowercase:Uppercase", "docker.io", "library/lowercase", "Uppercase", null)]
    [InlineData("sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux", null, null)]
    [InlineData("sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux", "some-long-tag", null)]
    [InlineData("b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app", "test.example.com", null)]
    [InlineData("xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", null)]
    [InlineData("xn--7o8h.com/myimage:xn--7o8h.com@" + Sha, "xn--7o8h.com", "myimage", "xn--7o8h.com", Sha)]
    [InlineData("foo_bar.com:8080", "docker.io", "library/foo_bar.com", "8080", null)]
    [InlineData("foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", "8080", null)]
    [InlineData("192.168.1.1", "docker.io", "library/192.168.1.1", null, null)]
    [InlineData("192.168.1.1/repo", "192.168.1.1", "repo", null, null)]
    [InlineData("192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", "5050", null)]
    [InlineData("[2001:db8::1]/repo", "[2001:db8::1]", "repo", null, null)]
    [InlineData("[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", "tag", null)]
    [InlineData("[2001:db8::1]:5000/repo:tag@" + Sha, "[2001:db8::1]:5000", "repo", "tag", Sha)]
    [InlineData("[::1]:5000/repo", "[::1]:5000", "repo", null, null)]
    [InlineData("test.com/foo", "test.com", "foo", null, null)]
    [InlineData("test_com/foo", "docker.io", "test_com/foo", null, null)]
    [InlineData("docker/migrator", "docker.io", "docker/migrator", null, null)]
    [InlineData("test-com:8080/foo", "test-com:8080", "foo", null, null)]
    [InlineData("foo", "docker.io", "library/foo", null, null)]
    [InlineData("docker.io/foo", "docker.io", "library/foo", null, null)]
    [InlineData("docker.io/library/foo/bar", "docker.io", "library/foo/bar", null, null)]
    [InlineData("index.docker.io/docker/docker", "docker.io", "docker/docker", null, null)]
    [InlineData("localhost/debian", "localhost", "debian", null, null)]
    [InlineData("LOCALDOMAIN/debian", "LOCALDOMAIN", "debian", null, null)]
    [InlineData("Docker/docker", "Docker", "docker", null, null)]
    [InlineData("dock__er/docker", "docker.io", "dock__er/docker", null, null)]
    [InlineData("docker---rules/docker", "docker.io", "docker---rules/docker", null, null)]
    [InlineData("127.0.0.1:5000/acme/billing:3f2a9c1", "127.0.0.1:5000", "acme/billing", "3f2a9c1", null)]
    [InlineData("acme/app", "docker.io", "acme/app", null, null)]
    [InlineData("nginx", "docker.io", "library/nginx", null, null)]
    public void A_reference_is_read_into_registry_path_tag_and_digest(string text, string registry, string path, string? tag, string? digest) =>
        ImageReference.Parse(text).ShouldBe(new ImageReference(registry, path, tag, digest));

    [Theory]
    [InlineData("", "cannot be empty")]
    [InlineData(":justtag", "is not an image reference")]
    [InlineData("@" + Sha, "is not an image reference")]
    [InlineData("repo@sha256:ffffffffffffffffffffffffffffffffff", "a sha256 digest has 64 hexadecimal digits, not 34")]
    [InlineData("validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "the digest algorithm 'invaliddigest' is not supported")]
    [InlineData("Uppercase:tag", "uppercase letters in its repository name")]
    [InlineData("test:5000/Uppercase/lowercase:tag", "uppercase letters in its repository name")]
    [InlineData("aa/asdf$$^/aa", "is not an image reference")]
    [InlineData("[2001:db8::1]", "is not an image reference")]
    [InlineData("[2001:db8::1]:5000", "is not an image reference")]
    [InlineData("[fe80::1%eth0]:5000/repo", "is not an image reference")]
    [InlineData("https://github.com/docker/docker", "is not an image reference")]
    [InlineData("docker/Docker", "uppercase letters")]
    [InlineData("-docker", "is not an image reference")]
    [InlineData("-docker/docker", "is not an image reference")]
    [InlineData("docker///docker", "is not an image reference")]
    [InlineData("docker-/docker", "is not an image reference")]
    [InlineData("____/____", "is not an image reference")]
    [InlineData("dock..er/docker", "is not an image reference")]
    [InlineData("dock_.er/docker", "is not an image reference")]
    [InlineData("docker/", "is not an image reference")]
    [InlineData("fc00::1:5000/debian", "is not an image reference")]
    [InlineData("1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "64-digit hexadecimal id")]
    [InlineData("repo:t\u00e4g", "is not an image reference")]
    public void What_the_grammar_refuses_is_refused_with_the_reason(string text, string reason)
    {
        ImageReference.TryParse(text, out var reference, out var problem).ShouldBeFalse();
        reference.ShouldBeNull();
        problem!.ShouldContain(reason);
    }

    [Fact]
    public void A_repository_path_may_be_255_characters_long_and_no_longer()
    {
        ImageReference.Parse("example.com/" + new string('a', 255) + ":tag").Repository.Length.ShouldBe(255);
        ImageReference.TryParse("example.com/" + new string('a', 256) + ":tag", out _, out var problem).ShouldBeFalse();
        problem!.ShouldContain("is 256 characters long; the most is 255");
    }

    [Fact]
    public void A_repository_for_onward_yaml_has_neither_tag_nor_digest()
    {
        ImageReference.ParseRepository("registry.example.com/acme/app", out _)!.Name.ShouldBe("registry.example.com/acme/app");
        ImageReference.ParseRepository("acme/app", out _)!.Name.ShouldBe("docker.io/acme/app");
        ImageReference.ParseRepository("registry.example.com/acme/app:1.0", out var tagged).ShouldBeNull();
        tagged!.ShouldContain("names a tag; give the repository alone (e.g. registry.example.com/acme/app)");
    }

    [Fact]
    public void Docker_hub_is_asked_at_its_api_host_and_a_pinned_reference_drops_the_tag()
    {
        ImageReference.Parse("nginx:1.27").ApiHost.ShouldBe("registry-1.docker.io");
        ImageReference.Parse("127.0.0.1:5000/acme/app").ApiHost.ShouldBe("127.0.0.1:5000");
        ImageReference.Parse("127.0.0.1:5000/acme/app:v1").PinnedTo(Sha).ToString().ShouldBe("127.0.0.1:5000/acme/app@" + Sha);
    }
}
