using System.Text.Json;
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

    protected static (RefKind Kind, string Name)? SplitRef(string fullRef) =>
        fullRef.StartsWith("refs/heads/", StringComparison.Ordinal) ? (RefKind.Branch, fullRef["refs/heads/".Length..])
        : fullRef.StartsWith("refs/tags/", StringComparison.Ordinal) ? (RefKind.Tag, fullRef["refs/tags/".Length..])
        : null;

    protected static List<string> Identities(params string?[] values) =>
        values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!).Distinct().ToList();
}
