using System.Text.Json;
using Onward.Core.Previews;
using Onward.Core.Releases;
using Onward.Core.Sources;
using Onward.Core.Webhooks;

namespace Onward.Integrations.GitProviders;

/// <summary>One git hosting provider's webhook dialect: headers, signature, and payload shapes.</summary>
public abstract class GitProvider
{
    /// <summary>The route name, <c>/hooks/{Name}</c>, and the key under <c>webhooks</c> in onward.yaml.</summary>
    public abstract string Name { get; }

    /// <summary>The header that carries the signature or token, for error messages.</summary>
    public abstract string SignatureHeader { get; }

    public abstract string? Event(WebhookRequest request);

    /// <summary>The provider's id for this delivery, the same on a redelivery; null when it sends none.</summary>
    public abstract string? DeliveryId(WebhookRequest request);

    public abstract bool IsSigned(WebhookRequest request, string secret);

    /// <exception cref="PayloadException">A field the event must have is missing or has the wrong type or form.</exception>
    public abstract ProviderReading Read(string eventName, JsonElement payload);

    public static IReadOnlyList<GitProvider> All { get; } = [new GitHubProvider(), new GitLabProvider(), new GiteaProvider(), new BitbucketProvider()];

    /// <summary>
    /// The push payload GitHub defined and Gitea, Forgejo and Gogs copied: <c>ref</c>, <c>after</c> (all zeros for
    /// a deletion), <c>head_commit.id</c> (the commit of an annotated tag, whose <c>after</c> is the tag object) and
    /// the repository's URLs and full name.
    /// </summary>
    protected static ProviderReading ReadGitHubStylePush(PayloadReader payload, bool? forced)
    {
        var fullRef = payload.RequiredRef("ref");
        var after = payload.RequiredCommit("after");
        payload.Commit("before");
        var repository = payload.Child("repository");
        // Older GitHub payloads (and GitHub Enterprise's) name the repository only by its web URL, its name and its
        // owner's name, without clone_url or full_name.
        var owner = repository.OptionalChild("owner");
        var ownerName = owner?.Text("login") ?? owner?.Text("name");
        var name = repository.Text("name");
        var identities = Identities(repository.Text("clone_url"), repository.Text("ssh_url"), repository.Text("html_url"), repository.Text("full_name"),
            repository.Text("url"), ownerName is not null && name is not null ? $"{ownerName}/{name}" : null);
        var headCommit = payload.OptionalChild("head_commit")?.Commit("id");
        if (SplitRef(fullRef) is not { } split)
        {
            return new ProviderReading.Ignored($"ref {fullRef} is neither a branch nor a tag");
        }
        var deleted = payload.Flag("deleted") == true || CommitId.IsZero(after);
        var commit = deleted ? null : split.Kind == RefKind.Tag && headCommit is not null ? headCommit : after;
        return new ProviderReading.Push(new PushEvent(identities, [new RefChange(fullRef, split.Kind, split.Name, commit, deleted, forced)]));
    }

    /// <summary>
    /// The pull request payload GitHub defined and Gitea copied: <c>action</c>, <c>number</c>, <c>pull_request.head</c>
    /// (<c>ref</c>, <c>sha</c>), <c>pull_request.html_url</c>, and the repository it is into. Both keep the head under
    /// <c>refs/pull/N/head</c> of that repository, a fork's too.
    /// </summary>
    protected static ProviderReading ReadGitHubStylePullRequest(PayloadReader payload, IReadOnlySet<string> updates, IReadOnlySet<string> closes)
    {
        var said = payload.Required("action");
        var pull = payload.Child("pull_request");
        var number = payload.Whole("number") ?? pull.RequiredWhole("number");
        var head = pull.Child("head");
        var branch = head.RequiredShortRef("ref");
        var commit = head.RequiredCommit("sha");
        var repository = payload.Child("repository");
        var identities = Identities(repository.Text("clone_url"), repository.Text("ssh_url"), repository.Text("html_url"), repository.Text("full_name"));
        var action = updates.Contains(said) ? PullRequestAction.Updated : closes.Contains(said) ? PullRequestAction.Closed : PullRequestAction.Other;
        return new ProviderReading.PullRequest(new PullRequestEvent(identities, number, action, said, branch, commit, $"refs/pull/{number}/head", WebLink(pull.Text("html_url")))
        {
            FromFork = IsFork(head, pull.OptionalChild("base")),
            Opened = said is "opened" or "reopened",
        });
    }

    /// <summary>
    /// Whether a pull request's head is in another repository than its base: their <c>repo.full_name</c>s differ, or
    /// the head's repository is gone (a deleted fork sends <c>repo: null</c>).
    /// </summary>
    private static bool IsFork(PayloadReader head, PayloadReader? @base)
    {
        var headName = head.OptionalChild("repo")?.Text("full_name");
        var baseName = @base?.OptionalChild("repo")?.Text("full_name");
        var headGone = head.Element.TryGetProperty("repo", out var repo) && repo.ValueKind == JsonValueKind.Null;
        return headGone || (headName is not null && baseName is not null && !string.Equals(headName, baseName, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A web page's address from a payload, kept only when it is an http(s) URL.</summary>
    protected static string? WebLink(string? text) =>
        text is { Length: <= 2000 } && Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url.ToString() : null;

    protected static (RefKind Kind, string Name)? SplitRef(string fullRef) =>
        fullRef.StartsWith("refs/heads/", StringComparison.Ordinal) ? (RefKind.Branch, fullRef["refs/heads/".Length..])
        : fullRef.StartsWith("refs/tags/", StringComparison.Ordinal) ? (RefKind.Tag, fullRef["refs/tags/".Length..])
        : null;

    protected static List<string> Identities(params string?[] values) =>
        values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!).Distinct().ToList();
}
