using System.Text.Json;
using Onward.Core.Previews;
using Onward.Integrations.GitProviders;
using Onward.Testing;

namespace Onward.Integrations.Tests.GitProviders;

/// <summary>What each host's pull request (merge request) events mean for a preview, and what a malformed one is told.</summary>
public class PullRequestReadingTests
{
    private const string Head = "0123456789abcdef0123456789abcdef01234567";

    private static PullRequestEvent Read(GitProvider provider, string eventName, string payload)
    {
        using var document = JsonDocument.Parse(payload);
        return provider.Read(eventName, document.RootElement).ShouldBeOfType<ProviderReading.PullRequest>().Event;
    }

    [Theory]
    [InlineData("opened", PullRequestAction.Updated)]
    [InlineData("reopened", PullRequestAction.Updated)]
    [InlineData("synchronize", PullRequestAction.Updated)]
    [InlineData("closed", PullRequestAction.Closed)]
    [InlineData("labeled", PullRequestAction.Other)]
    [InlineData("edited", PullRequestAction.Other)]
    public void Github_pull_request_actions(string action, PullRequestAction expected)
    {
        var e = Read(new GitHubProvider(), "pull_request", Payloads.GitHubPullRequest("https://github.com/acme/shop.git", action, 42, "feature/login", Head));

        (e.Number, e.Action, e.Said, e.Branch, e.Commit, e.HeadRef, e.Link).ShouldBe(
            (42L, expected, action, "feature/login", Head, "refs/pull/42/head", "https://github.com/acme/shop/pull/42"));
        e.Repositories.ShouldContain("https://github.com/acme/shop.git");
        e.Repositories.ShouldContain("acme/shop");
    }

    [Theory]
    [InlineData("synchronized", PullRequestAction.Updated)]
    [InlineData("closed", PullRequestAction.Closed)]
    public void Gitea_says_synchronized(string action, PullRequestAction expected) =>
        Read(new GiteaProvider(), "pull_request", Payloads.GitHubPullRequest("https://gitea.example/acme/shop.git", action, 3, "feature/x", Head)).Action.ShouldBe(expected);

    [Theory]
    [InlineData("open", PullRequestAction.Updated)]
    [InlineData("reopen", PullRequestAction.Updated)]
    [InlineData("update", PullRequestAction.Updated)]
    [InlineData("close", PullRequestAction.Closed)]
    [InlineData("merge", PullRequestAction.Closed)]
    [InlineData("approved", PullRequestAction.Other)]
    public void Gitlab_merge_request_actions(string action, PullRequestAction expected)
    {
        var e = Read(new GitLabProvider(), "Merge Request Hook", Payloads.GitLabMergeRequest("https://gitlab.example/acme/shop.git", action, 7, "feature/cart", Head));

        (e.Number, e.Action, e.Branch, e.Commit, e.HeadRef).ShouldBe((7L, expected, "feature/cart", Head, "refs/merge-requests/7/head"));
        e.Link.ShouldBe("https://gitlab.example.invalid/acme/shop/-/merge_requests/7");
        e.Opened.ShouldBe(action is "open" or "reopen");
    }

    [Fact]
    public void A_gitlab_update_without_new_commits_changes_nothing() =>
        Read(new GitLabProvider(), "Merge Request Hook", Payloads.GitLabMergeRequest("r", "update", 7, "feature/cart", Head, newCommits: false)).Action.ShouldBe(PullRequestAction.Other);

    [Theory]
    [InlineData("pullrequest:created", PullRequestAction.Updated)]
    [InlineData("pullrequest:updated", PullRequestAction.Updated)]
    [InlineData("pullrequest:fulfilled", PullRequestAction.Closed)]
    [InlineData("pullrequest:rejected", PullRequestAction.Closed)]
    public void Bitbucket_cloud_names_the_head_by_an_abbreviated_hash(string eventName, PullRequestAction expected)
    {
        var payload = JsonSerializer.Serialize(new
        {
            pullrequest = new
            {
                id = 12,
                title = "A change",
                state = "OPEN",
                source = new { branch = new { name = "feature/pay" }, commit = new { hash = "d3022fc0ca3d" }, repository = new { full_name = "acme/shop" } },
                destination = new { branch = new { name = "main" }, commit = new { hash = "ce5965ddd289" } },
                links = new { html = new { href = "https://bitbucket.org/acme/shop/pull-requests/12" } },
            },
            repository = new { full_name = "acme/shop", links = new { html = new { href = "https://bitbucket.org/acme/shop" } } },
        });

        var e = Read(new BitbucketProvider(), eventName, payload);

        (e.Number, e.Action, e.Branch, e.Commit, e.HeadRef).ShouldBe((12L, expected, "feature/pay", "d3022fc0ca3d", (string?)null));
        e.Link.ShouldBe("https://bitbucket.org/acme/shop/pull-requests/12");
    }

    [Theory]
    [InlineData("pr:opened", PullRequestAction.Updated)]
    [InlineData("pr:from_ref_updated", PullRequestAction.Updated)]
    [InlineData("pr:modified", PullRequestAction.Other)]
    [InlineData("pr:merged", PullRequestAction.Closed)]
    [InlineData("pr:declined", PullRequestAction.Closed)]
    [InlineData("pr:deleted", PullRequestAction.Closed)]
    public void Bitbucket_data_center_pull_request_events(string eventName, PullRequestAction expected)
    {
        var payload = JsonSerializer.Serialize(new
        {
            eventKey = eventName,
            pullRequest = new
            {
                id = 9,
                title = "A change",
                fromRef = new { id = "refs/heads/feature/dc", displayId = "feature/dc", latestCommit = Head, repository = new { id = 84, slug = "shop", project = new { key = "ACME" } } },
                toRef = new
                {
                    id = "refs/heads/main",
                    latestCommit = "1111111111111111111111111111111111111111",
                    repository = new { id = 84, slug = "shop", project = new { key = "ACME" }, links = new { clone = new[] { new { href = "https://bitbucket.example/scm/acme/shop.git", name = "http" } } } },
                },
                links = new { self = new[] { new { href = "https://bitbucket.example/projects/ACME/repos/shop/pull-requests/9" } } },
            },
        });

        var e = Read(new BitbucketProvider(), eventName, payload);

        (e.Number, e.Action, e.Branch, e.Commit, e.HeadRef, e.FromFork).ShouldBe((9L, expected, "feature/dc", Head, "refs/pull-requests/9/from", false));
        e.Repositories.ShouldBe(["https://bitbucket.example/scm/acme/shop.git", "acme/shop"]);
        e.Link.ShouldBe("https://bitbucket.example/projects/ACME/repos/shop/pull-requests/9");
        e.Opened.ShouldBe(eventName == "pr:opened");
    }

    [Fact]
    public void A_head_in_another_repository_is_a_forks()
    {
        Read(new GitHubProvider(), "pull_request", Payloads.GitHubPullRequest("r", "opened", 1, "feature/x", Head)).FromFork.ShouldBeFalse();
        Read(new GitHubProvider(), "pull_request", Payloads.GitHubPullRequest("r", "opened", 1, "feature/x", Head, headRepository: "mallory/shop")).FromFork.ShouldBeTrue();
        var deletedFork = System.Text.Json.Nodes.JsonNode.Parse(Payloads.GitHubPullRequest("r", "synchronize", 1, "feature/x", Head))!;
        deletedFork["pull_request"]!["head"]!["repo"] = null;
        Read(new GiteaProvider(), "pull_request", deletedFork.ToJsonString()).FromFork.ShouldBeTrue("a deleted fork's head has no repository");
        var gitlab = System.Text.Json.Nodes.JsonNode.Parse(Payloads.GitLabMergeRequest("r", "open", 1, "feature/x", Head))!;
        gitlab["object_attributes"]!["source_project_id"] = 16;
        gitlab["object_attributes"]!["target_project_id"] = 15;
        Read(new GitLabProvider(), "Merge Request Hook", gitlab.ToJsonString()).FromFork.ShouldBeTrue();
    }

    [Fact]
    public void A_head_that_is_no_branch_or_commit_is_refused_naming_its_field()
    {
        var badBranch = Payloads.GitHubPullRequest("r", "opened", 1, "feature/..x", Head);
        var badCommit = Payloads.GitHubPullRequest("r", "opened", 1, "feature/x", "$(reboot)");

        Should.Throw<PayloadException>(() => Read(new GitHubProvider(), "pull_request", badBranch)).Message.ShouldContain("pull_request.head.ref");
        Should.Throw<PayloadException>(() => Read(new GitHubProvider(), "pull_request", badCommit)).Message.ShouldContain("pull_request.head.sha");
        Should.Throw<PayloadException>(() => Read(new GitLabProvider(), "Merge Request Hook", Payloads.GitLabMergeRequest("r", "open", 1, "x y", Head)))
            .Message.ShouldContain("object_attributes.source_branch");
    }

    [Fact]
    public void A_link_that_is_not_a_web_address_is_left_out() =>
        Read(new GitHubProvider(), "pull_request", Payloads.GitHubPullRequest("r", "opened", 1, "feature/x", Head).Replace("https://github.com/acme/shop/pull/1", "javascript:alert(1)", StringComparison.Ordinal))
            .Link.ShouldBeNull();
}
