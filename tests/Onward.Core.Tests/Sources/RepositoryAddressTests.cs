using Onward.Core.Sources;

namespace Onward.Core.Tests.Sources;

public class RepositoryAddressTests
{
    [Theory]
    [InlineData("https://ci:SECRET@git.example/acme/x.git", "https://git.example/acme/x.git", "https://***@git.example/acme/x.git", "ci", "SECRET")]
    [InlineData("https://ghp_TOKEN@github.com/acme/x.git", "https://github.com/acme/x.git", "https://***@github.com/acme/x.git", "ghp_TOKEN", "")]
    [InlineData("http://user%40corp:p%3Ass@127.0.0.1:8080/x", "http://127.0.0.1:8080/x", "http://***@127.0.0.1:8080/x", "user@corp", "p:ss")]
    [InlineData("HTTPS://a:b@host/x", "HTTPS://host/x", "HTTPS://***@host/x", "a", "b")]
    public void Http_credentials_are_taken_out_of_the_url_and_masked_where_shown(string configured, string url, string shown, string user, string password)
    {
        var address = RepositoryAddress.Parse(configured);

        address.Url.ShouldBe(url);
        address.ToString().ShouldBe(shown);
        $"{address}".ShouldNotContain(password.Length > 0 ? password : user);
        address.Credentials.ShouldBe(new RepositoryCredentials(user, password));
        address.Credentials!.ToString().ShouldBe("***");
        address.IsLocal.ShouldBeFalse();
    }

    [Theory]
    [InlineData("ssh://git:hunter2@host/acme/x.git", "ssh://git@host/acme/x.git", "ssh://git:***@host/acme/x.git")]
    [InlineData("ssh://git@host/acme/x.git", "ssh://git@host/acme/x.git", "ssh://git@host/acme/x.git")]
    [InlineData("git@github.com:acme/x.git", "git@github.com:acme/x.git", "git@github.com:acme/x.git")]
    [InlineData("https://github.com/acme/x.git", "https://github.com/acme/x.git", "https://github.com/acme/x.git")]
    [InlineData("/srv/git/x", "/srv/git/x", "/srv/git/x")]
    public void Other_addresses_keep_their_user_and_lose_only_a_password(string configured, string url, string shown)
    {
        var address = RepositoryAddress.Parse(configured);

        address.Url.ShouldBe(url);
        address.ToString().ShouldBe(shown);
        address.Credentials.ShouldBeNull();
    }

    [Fact]
    public void A_path_is_local_and_an_scp_like_address_is_not()
    {
        RepositoryAddress.Parse("/srv/git/x").IsLocal.ShouldBeTrue();
        RepositoryAddress.Parse("./x").IsLocal.ShouldBeTrue();
        RepositoryAddress.Parse("git@github.com:acme/x.git").IsLocal.ShouldBeFalse();
        RepositoryAddress.Parse("file:///srv/git/x").IsLocal.ShouldBeFalse();
    }
}
