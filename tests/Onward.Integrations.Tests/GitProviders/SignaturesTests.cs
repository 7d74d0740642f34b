using System.Text;
using Onward.Integrations.GitProviders;

namespace Onward.Integrations.Tests.GitProviders;

public class SignaturesTests
{
    [Fact]
    public void The_hmac_matches_the_test_vector_github_documents() =>
        Signatures.HmacSha256Hex("It's a Secret to Everybody", Encoding.UTF8.GetBytes("Hello, World!"))
            .ShouldBe("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");

    [Fact]
    public void A_github_signature_needs_its_sha256_prefix_and_the_exact_body()
    {
        var body = Encoding.UTF8.GetBytes("Hello, World!");
        var provider = new GitHubProvider();
        WebhookRequest With(string? signature, byte[] bytes) => new(name => name == "X-Hub-Signature-256" ? signature : null, bytes);

        provider.IsSigned(With("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", body), "It's a Secret to Everybody").ShouldBeTrue();
        provider.IsSigned(With("sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17", body), "It's a Secret to Everybody").ShouldBeTrue();
        provider.IsSigned(With("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", body), "It's a Secret to Everybody").ShouldBeFalse();
        provider.IsSigned(With("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", Encoding.UTF8.GetBytes("Hello, World?")), "It's a Secret to Everybody").ShouldBeFalse();
        provider.IsSigned(With(null, body), "It's a Secret to Everybody").ShouldBeFalse();
    }

    [Fact]
    public void Gitea_signs_without_a_prefix_and_gitlab_sends_the_token_itself()
    {
        var body = Encoding.UTF8.GetBytes("{}");
        var hex = Signatures.HmacSha256Hex("s", body);

        new GiteaProvider().IsSigned(new WebhookRequest(n => n == "X-Gitea-Signature" ? hex : null, body), "s").ShouldBeTrue();
        new GiteaProvider().IsSigned(new WebhookRequest(n => n == "X-Forgejo-Signature" ? hex : null, body), "s").ShouldBeTrue();
        new GitLabProvider().IsSigned(new WebhookRequest(n => n == "X-Gitlab-Token" ? "s" : null, body), "s").ShouldBeTrue();
        new GitLabProvider().IsSigned(new WebhookRequest(n => n == "X-Gitlab-Token" ? "S" : null, body), "s").ShouldBeFalse();
    }
}
