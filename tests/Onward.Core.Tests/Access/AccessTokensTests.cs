using Onward.Core.Access;
using Onward.Testing.Fakes;

namespace Onward.Core.Tests.Access;

/// <summary>Issuing tokens, as the API and the CLI on a server's database both do it.</summary>
public class AccessTokensTests
{
    private static readonly string[] Environments = ["dev", "prod"];
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, "viewer", null, "send a JSON body with `name` and `role`")]
    [InlineData("alice", "owner", null, "unknown role 'owner'; use viewer, deployer, approver, admin, or sdk (with an environment) for an OpenFeature SDK")]
    [InlineData("Alice", "viewer", null, "'Alice' is not a valid token name")]
    [InlineData("onward", "viewer", null, "'onward' is the name Onward itself acts under in event logs")]
    [InlineData("web", "sdk", null, "an sdk token evaluates one environment's flags")]
    [InlineData("web", "sdk", "qa", "unknown environment 'qa'; known environments: dev, prod")]
    [InlineData("alice", "viewer", "dev", "only an sdk token is limited to an environment")]
    public async Task A_token_that_cannot_be_is_refused_in_words_and_none_is_stored(string? name, string role, string? environment, string problem)
    {
        var (tokens, store) = Setup();

        var issued = await tokens.IssueAsync(new TokenOrder(name, role, [], null, environment), Environments, "root", CancellationToken.None);

        issued.Problem.ShouldNotBeNull().ShouldStartWith(problem);
        (issued.Token, issued.Secret).ShouldBe((null, null));
        (await store.ListAsync(10, null, CancellationToken.None)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Groups_are_names_at_most_32_of_them_none_missing()
    {
        var (tokens, _) = Setup();

        var tooMany = await tokens.IssueAsync(new TokenOrder("alice", "approver", Enumerable.Range(0, 33).Select(i => (string?)$"g{i}").ToList(), null, null), Environments, "root", CancellationToken.None);
        var missing = await tokens.IssueAsync(new TokenOrder("alice", "approver", ["release-managers", null], null, null), Environments, "root", CancellationToken.None);
        var bad = await tokens.IssueAsync(new TokenOrder("alice", "approver", ["Release Managers"], null, null), Environments, "root", CancellationToken.None);

        tooMany.Problem.ShouldBe("`groups` has 33 entries; a token carries at most 32");
        missing.Problem.ShouldStartWith("`groups[1]` is null");
        bad.Problem.ShouldStartWith("'Release Managers' is not a valid group name");
    }

    [Fact]
    public async Task An_issued_token_works_until_it_expires_or_is_revoked_and_its_secret_is_shown_once()
    {
        var (tokens, store) = Setup();

        var issued = await tokens.IssueAsync(new TokenOrder("web", "sdk", [], "90d", "prod"), Environments, "root", CancellationToken.None);
        var other = await tokens.IssueAsync(new TokenOrder("alice", "approver", ["release-managers", "release-managers"], "", ""), Environments, "root", CancellationToken.None);

        issued.Problem.ShouldBeNull();
        var token = issued.Token.ShouldNotBeNull();
        token.ShouldSatisfyAllConditions(t => t.Environment.ShouldBe("prod"), t => t.ExpiresAt.ShouldBe(Now.AddDays(90)), t => t.CreatedBy.ShouldBe("root"));
        (await tokens.FindAsync(issued.Secret!, CancellationToken.None))!.Id.ShouldBe(token.Id);
        other.Token!.ShouldSatisfyAllConditions(t => t.Groups.ShouldBe(["release-managers"]), t => t.ExpiresAt.ShouldBeNull(), t => t.Environment.ShouldBeNull());
        (await tokens.RevokeAsync("web", null, "root", CancellationToken.None)).ShouldHaveSingleItem().Id.ShouldBe(token.Id);
        (await tokens.FindAsync(issued.Secret!, CancellationToken.None)).ShouldBeNull();
        (await store.ListAsync(10, null, CancellationToken.None)).Count.ShouldBe(2, "revoked, not deleted");
    }

    private static (AccessTokens Tokens, FakeTokenStore Store) Setup()
    {
        var store = new FakeTokenStore();
        return (new AccessTokens(store, new ManualClock(Now)), store);
    }
}
