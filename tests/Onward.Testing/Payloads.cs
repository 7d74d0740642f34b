using System.Text.Json;

namespace Onward.Testing;

/// <summary>
/// Push payloads shaped like the providers' own (the fields Onward reads, with their neighbours), built with
/// System.Text.Json so that names and values are escaped as the providers do.
/// </summary>
public static class Payloads
{
    private const string Zero = "0000000000000000000000000000000000000000";

    public static string GitHubPush(string repository, string fullRef, string before, string after, string? headCommit = null, bool forced = false) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["ref"] = fullRef,
            ["before"] = before,
            ["after"] = after,
            ["created"] = before == Zero,
            ["deleted"] = after == Zero,
            ["forced"] = forced,
            ["base_ref"] = null,
            ["compare"] = $"https://github.com/acme/shop/compare/{before[..12]}...{after[..12]}",
            ["commits"] = Array.Empty<object>(),
            ["head_commit"] = after == Zero ? null : new { id = headCommit ?? after, tree_id = "4b825dc642cb6eb9a060e54bf8d69288fbee4904", distinct = true, message = "change" },
            ["repository"] = GitHubRepository(repository),
            ["pusher"] = new { name = "octocat", email = "octocat@github.invalid" },
            ["sender"] = new { login = "octocat", id = 1 },
        });

    /// <summary>
    /// An older GitHub push payload (GitHub Enterprise Server still sends these): the repository only by its web
    /// <c>url</c>, <c>name</c> and <c>owner.name</c>, and no <c>clone_url</c> or <c>full_name</c>.
    /// </summary>
    public static string GitHubLegacyPush(string owner, string name, string fullRef, string before, string after) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["ref"] = fullRef,
            ["before"] = before,
            ["after"] = after,
            ["created"] = before == Zero,
            ["deleted"] = after == Zero,
            ["forced"] = false,
            ["compare"] = $"https://github.com/{owner}/{name}/compare/{before[..12]}...{after[..12]}",
            ["commits"] = Array.Empty<object>(),
            ["head_commit"] = new { id = after, message = "change", url = $"https://github.com/{owner}/{name}/commit/{after}" },
            ["repository"] = new
            {
                id = 1296269,
                name,
                url = $"https://github.com/{owner}/{name}",
                owner = new { name = owner, email = $"{owner}@users.noreply.github.invalid" },
                @private = false,
                master_branch = "main",
            },
            ["pusher"] = new { name = "octocat", email = "octocat@github.invalid" },
        });

    public static string GitLabPush(string repository, string fullRef, string before, string after, string? checkoutSha, bool tag = false) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["object_kind"] = tag ? "tag_push" : "push",
            ["event_name"] = tag ? "tag_push" : "push",
            ["before"] = before,
            ["after"] = after,
            ["ref"] = fullRef,
            ["ref_protected"] = true,
            ["checkout_sha"] = checkoutSha,
            ["user_username"] = "jsmith",
            ["project_id"] = 15,
            ["project"] = new
            {
                id = 15,
                name = "shop",
                web_url = "https://gitlab.example.invalid/acme/shop",
                git_ssh_url = "git@gitlab.example.invalid:acme/shop.git",
                git_http_url = repository,
                path_with_namespace = "acme/shop",
                default_branch = "main",
            },
            ["commits"] = Array.Empty<object>(),
            ["total_commits_count"] = 0,
            ["repository"] = new { name = "shop", url = "git@gitlab.example.invalid:acme/shop.git", git_http_url = repository, git_ssh_url = "git@gitlab.example.invalid:acme/shop.git" },
        });

    public static string GiteaPush(string repository, string fullRef, string before, string after) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["ref"] = fullRef,
            ["before"] = before,
            ["after"] = after,
            ["compare_url"] = "",
            ["commits"] = Array.Empty<object>(),
            ["total_commits"] = 0,
            ["head_commit"] = null,
            ["repository"] = new
            {
                id = 1,
                name = "shop",
                full_name = "acme/shop",
                html_url = "https://gitea.example.invalid/acme/shop",
                ssh_url = "git@gitea.example.invalid:acme/shop.git",
                clone_url = repository,
                default_branch = "main",
            },
            ["pusher"] = new { login = "gitea", id = 1 },
            ["sender"] = new { login = "gitea", id = 1 },
        });

    /// <param name="changes">(type "branch" or "tag", name, new hash or null when deleted, forced).</param>
    public static string BitbucketCloudPush(string repository, params (string Type, string Name, string? Hash, bool Forced)[] changes) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["push"] = new
            {
                changes = changes.Select(c => new Dictionary<string, object?>
                {
                    ["new"] = c.Hash is null ? null : new { type = c.Type, name = c.Name, target = new { type = "commit", hash = c.Hash } },
                    ["old"] = new { type = c.Type, name = c.Name, target = new { type = "commit", hash = "1e65c05c1d5171631d92438a13901ca7dae9618c" } },
                    ["created"] = false,
                    ["closed"] = c.Hash is null,
                    ["forced"] = c.Forced,
                    ["truncated"] = false,
                }).ToArray(),
            },
            ["repository"] = new
            {
                type = "repository",
                full_name = "acme/shop",
                name = "shop",
                links = new { html = new { href = repository } },
                uuid = "{5ee7b0d4-c4a3-4d8e-a7e4-97bd8b1d0a2e}",
            },
            ["actor"] = new { display_name = "Jane", type = "user" },
        });

    /// <param name="changes">(full ref, new hash, type ADD, UPDATE or DELETE).</param>
    public static string BitbucketDataCenterPush(string repository, params (string Ref, string ToHash, string Type)[] changes) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["eventKey"] = "repo:refs_changed",
            ["date"] = "2026-11-26T12:00:00+0000",
            ["actor"] = new { name = "admin", displayName = "Administrator" },
            ["repository"] = new
            {
                slug = "shop",
                id = 84,
                name = "shop",
                project = new { key = "ACME", id = 84, name = "Acme" },
                links = new { clone = new[] { new { href = repository, name = "http" }, new { href = "ssh://git@bitbucket.example.invalid:7999/acme/shop.git", name = "ssh" } } },
            },
            ["changes"] = changes.Select(c => new
            {
                @ref = new { id = c.Ref, displayId = c.Ref.Split('/').Last(), type = c.Ref.StartsWith("refs/tags/", StringComparison.Ordinal) ? "TAG" : "BRANCH" },
                refId = c.Ref,
                fromHash = "0000000000000000000000000000000000000000",
                toHash = c.ToHash,
                type = c.Type,
            }).ToArray(),
        });

    /// <summary>GitHub's (and Gitea's) <c>pull_request</c> event: <paramref name="action"/> opened, reopened, synchronize(d), closed.</summary>
    /// <param name="headRepository">The repository the head is in (a fork's when it differs from acme/shop).</param>
    public static string GitHubPullRequest(string repository, string action, long number, string branch, string head, bool merged = false, string headRepository = "acme/shop") =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["action"] = action,
            ["number"] = number,
            ["pull_request"] = new Dictionary<string, object?>
            {
                ["url"] = $"https://api.github.com/repos/acme/shop/pulls/{number}",
                ["html_url"] = $"https://github.com/acme/shop/pull/{number}",
                ["number"] = number,
                ["state"] = action == "closed" ? "closed" : "open",
                ["title"] = "A change",
                ["merged"] = merged,
                ["head"] = new { label = headRepository.Split('/')[0] + ":" + branch, @ref = branch, sha = head, repo = new { full_name = headRepository, clone_url = repository } },
                ["base"] = new { label = "acme:main", @ref = "main", sha = "1111111111111111111111111111111111111111", repo = new { full_name = "acme/shop", clone_url = repository } },
            },
            ["repository"] = GitHubRepository(repository),
            ["sender"] = new { login = "octocat", id = 1 },
        });

    /// <summary>GitLab's merge request hook: <paramref name="action"/> open, update, reopen, close, merge.</summary>
    /// <param name="newCommits">For an update: whether it brought commits (GitLab then sends <c>oldrev</c>), or only changed the title or labels.</param>
    public static string GitLabMergeRequest(string repository, string action, long iid, string branch, string head, bool newCommits = true) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["object_kind"] = "merge_request",
            ["event_type"] = "merge_request",
            ["user"] = new { id = 1, username = "root" },
            ["project"] = new { id = 15, name = "shop", path_with_namespace = "acme/shop", web_url = "https://gitlab.example.invalid/acme/shop", git_http_url = repository, git_ssh_url = "git@gitlab.example.invalid:acme/shop.git" },
            ["object_attributes"] = new Dictionary<string, object?>
            {
                ["id"] = 90000 + iid,
                ["iid"] = iid,
                ["action"] = action,
                ["source_branch"] = branch,
                ["target_branch"] = "main",
                ["state"] = action switch { "close" => "closed", "merge" => "merged", _ => "opened" },
                ["title"] = "A change",
                ["url"] = $"https://gitlab.example.invalid/acme/shop/-/merge_requests/{iid}",
                ["last_commit"] = new { id = head, message = "change" },
                ["oldrev"] = action == "update" && newCommits ? "1111111111111111111111111111111111111111" : null,
            },
            ["repository"] = new { name = "shop", url = repository, homepage = "https://gitlab.example.invalid/acme/shop" },
        });

    /// <summary>The repository acme/shop as GitHub describes it in its events, cloned from <paramref name="repository"/>.</summary>
    private static object GitHubRepository(string repository) => new
    {
        id = 1296269,
        name = "shop",
        full_name = "acme/shop",
        html_url = "https://github.com/acme/shop",
        clone_url = repository,
        ssh_url = "git@github.com:acme/shop.git",
        default_branch = "main",
    };
}
