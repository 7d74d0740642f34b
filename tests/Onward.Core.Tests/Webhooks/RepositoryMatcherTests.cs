using Onward.Core.Webhooks;

namespace Onward.Core.Tests.Webhooks;

public class RepositoryMatcherTests
{
    [Theory]
    [InlineData("https://github.com/acme/shop.git", "git@github.com:acme/shop.git")]
    [InlineData("https://github.com/acme/shop.git", "https://github.com/Acme/Shop")]
    [InlineData("ssh://git@gitlab.example.com/acme/shop.git", "https://gitlab.example.com/acme/shop")]
    [InlineData("git@gitea.example.com:acme/shop.git", "acme/shop")]
    [InlineData("/srv/git/shop", "/srv/git/shop/")]
    [InlineData("/srv/git/shop", "file:///srv/git/shop")]
    public void The_same_repository_named_differently_matches(string service, string identity) =>
        RepositoryMatcher.Matches(service, [identity]).ShouldBeTrue();

    [Theory]
    [InlineData("https://github.com/acme/shop.git", "https://github.com/acme/shop-admin")]
    [InlineData("https://github.com/acme/shop.git", "other/shop")]
    [InlineData("https://github.com/acme/shop.git", "https://gitlab.com/acme/shop")]
    [InlineData("/srv/git/shop", "/srv/git/shop2")]
    public void Other_repositories_do_not(string service, string identity) =>
        RepositoryMatcher.Matches(service, [identity]).ShouldBeFalse();
}
