using System.Text.Json;
using Onward.Core.Releases;

namespace Onward.Integrations.GitProviders;

/// <summary>One git hosting provider's webhook dialect: headers, signature, and payload shapes.</summary>
public abstract class GitProvider
{
    public const string ZeroSha = "0000000000000000000000000000000000000000";

    /// <summary>The route name, <c>/hooks/{Name}</c>, and the key under <c>webhooks</c> in onward.yaml.</summary>
    public abstract string Name { get; }

    /// <summary>The header that carries the signature or token, for error messages.</summary>
    public abstract string SignatureHeader { get; }

    public abstract string? Event(WebhookRequest request);

    /// <summary>The provider's id for this delivery, the same on a redelivery; null when it sends none.</summary>
    public abstract string? DeliveryId(WebhookRequest request);

    public abstract bool IsSigned(WebhookRequest request, string secret);

    /// <exception cref="KeyNotFoundException">A field the event must have is missing.</exception>
    /// <exception cref="InvalidOperationException">A field has the wrong JSON type.</exception>
    public abstract ProviderReading Read(string eventName, JsonElement payload);

    public static IReadOnlyList<GitProvider> All { get; } = [new GitHubProvider(), new GitLabProvider(), new GiteaProvider(), new BitbucketProvider()];

    /// <summary>
    /// The push payload GitHub defined and Gitea, Forgejo and Gogs copied: <c>ref</c>, <c>after</c> (all zeros for
    /// a deletion), <c>head_commit.id</c> (the commit of an annotated tag, whose <c>after</c> is the tag object) and
    /// the repository's URLs and full name.
    /// </summary>
    protected static ProviderReading ReadGitHubStylePush(JsonElement payload, bool? forced)
    {
        var fullRef = Required(payload, "ref");
        if (SplitRef(fullRef) is not { } split)
        {
            return new ProviderReading.Ignored($"ref {fullRef} is neither a branch nor a tag");
        }
        var after = Text(payload, "after");
        var deleted = Flag(payload, "deleted") == true || IsZero(after);
        var headCommit = Text(payload, "head_commit", "id");
        var commit = deleted ? null : split.Kind == RefKind.Tag && headCommit is not null ? headCommit : after;
        var repository = payload.GetProperty("repository");
        return new ProviderReading.Push(new Core.Webhooks.PushEvent(
            Identities(Text(repository, "clone_url"), Text(repository, "ssh_url"), Text(repository, "html_url"), Text(repository, "full_name")),
            [new Core.Webhooks.RefChange(fullRef, split.Kind, split.Name, commit, deleted, forced)]));
    }

    protected static (RefKind Kind, string Name)? SplitRef(string fullRef) =>
        fullRef.StartsWith("refs/heads/", StringComparison.Ordinal) ? (RefKind.Branch, fullRef["refs/heads/".Length..])
        : fullRef.StartsWith("refs/tags/", StringComparison.Ordinal) ? (RefKind.Tag, fullRef["refs/tags/".Length..])
        : null;

    protected static bool IsZero(string? sha) => string.IsNullOrEmpty(sha) || sha.All(c => c == '0');

    protected static string? Text(JsonElement element, params string[] path)
    {
        foreach (var step in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(step, out element))
            {
                return null;
            }
        }
        return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }

    protected static bool? Flag(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : null;

    protected static string Required(JsonElement element, params string[] path) =>
        Text(element, path) ?? throw new KeyNotFoundException($"the payload has no string `{string.Join('.', path)}`");

    protected static List<string> Identities(params string?[] values) =>
        values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!).Distinct().ToList();
}
