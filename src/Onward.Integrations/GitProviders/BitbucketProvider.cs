using System.Text.Json;
using Onward.Core.Previews;
using Onward.Core.Releases;
using Onward.Core.Sources;
using Onward.Core.Webhooks;
using Onward.Core.Messages;

namespace Onward.Integrations.GitProviders;

/// <summary>
/// Bitbucket Cloud <c>repo:push</c> (https://support.atlassian.com/bitbucket-cloud/docs/event-payloads/) and Data
/// Center <c>repo:refs_changed</c> (https://confluence.atlassian.com/bitbucketserver/event-payload-938025882.html).
/// Both sign with <c>X-Hub-Signature: sha256=HEX</c>. One delivery can change several refs. Cloud says whether a
/// change was forced; Data Center does not.
/// </summary>
public sealed class BitbucketProvider : GitProvider
{
    public override string Name => "bitbucket";

    public override string SignatureHeader => "X-Hub-Signature";

    public override string? Event(WebhookRequest request) => request.Header("X-Event-Key");

    public override string? DeliveryId(WebhookRequest request) => request.Header("X-Request-UUID") ?? request.Header("X-Request-Id");

    public override bool IsSigned(WebhookRequest request, string secret)
    {
        var header = request.Header(SignatureHeader);
        return header is not null && header.StartsWith("sha256=", StringComparison.Ordinal)
            && Signatures.HexMatches(header["sha256=".Length..], secret, request.Body);
    }

    public override ProviderReading Read(string eventName, JsonElement payload) => eventName switch
    {
        "diagnostics:ping" => new ProviderReading.Ignored("ping: the webhook reaches Onward"),
        "repo:push" => ReadCloud(PayloadReader.Root(payload)),
        "repo:refs_changed" => ReadDataCenter(PayloadReader.Root(payload)),
        "pullrequest:created" or "pullrequest:updated" or "pullrequest:fulfilled" or "pullrequest:rejected" => ReadPullRequest(eventName, PayloadReader.Root(payload)),
        "pr:opened" or "pr:from_ref_updated" or "pr:modified" or "pr:merged" or "pr:declined" or "pr:deleted" => ReadDataCenterPullRequest(eventName, PayloadReader.Root(payload)),
        _ => new ProviderReading.Unknown($"Bitbucket event '{eventName}' is not handled; send repo:push (Cloud) or repo:refs_changed (Data Center), and pullrequest:created/updated/fulfilled/rejected (Cloud) or pr:opened/from_ref_updated/merged/declined/deleted (Data Center) for previews"),
    };

    /// <summary>
    /// Bitbucket Cloud's pull request events: <c>pullrequest.id</c>, its <c>source</c> branch and commit (abbreviated
    /// to 12 digits), and the repository it is into. Bitbucket keeps no ref of a fork's head in that repository.
    /// </summary>
    private static ProviderReading ReadPullRequest(string eventName, PayloadReader payload)
    {
        var pull = payload.Child("pullrequest");
        var number = pull.RequiredWhole("id");
        var source = pull.Child("source");
        var branch = source.Child("branch").RequiredShortRef("name");
        var commit = source.Child("commit").RequiredCommitPrefix("hash");
        var repository = payload.Child("repository");
        var identities = Identities(repository.OptionalChild("links")?.OptionalChild("html")?.Text("href"), repository.Text("full_name"));
        var action = eventName is "pullrequest:fulfilled" or "pullrequest:rejected" ? PullRequestAction.Closed : PullRequestAction.Updated;
        var from = source.OptionalChild("repository")?.Text("full_name");
        var into = pull.OptionalChild("destination")?.OptionalChild("repository")?.Text("full_name") ?? repository.Text("full_name");
        return new ProviderReading.PullRequest(new PullRequestEvent(identities, number, action, eventName["pullrequest:".Length..], branch, commit, null,
            WebLink(pull.OptionalChild("links")?.OptionalChild("html")?.Text("href")))
        {
            FromFork = from is not null && into is not null && !string.Equals(from, into, StringComparison.OrdinalIgnoreCase),
            Opened = eventName == "pullrequest:created",
        });
    }

    /// <summary>
    /// Bitbucket Data Center's pull request events
    /// (https://confluence.atlassian.com/bitbucketserver/event-payload-938025882.html#Eventpayload-Pullrequest):
    /// <c>pullRequest.id</c>, its <c>fromRef</c> (<c>id</c>, <c>latestCommit</c>) and the <c>toRef</c>'s repository.
    /// Data Center keeps the head under <c>refs/pull-requests/ID/from</c> of the target repository, a fork's too.
    /// <c>pr:modified</c> (title, description, target) changes no commit.
    /// </summary>
    private static ProviderReading ReadDataCenterPullRequest(string eventName, PayloadReader payload)
    {
        var pull = payload.Child("pullRequest");
        var number = pull.RequiredWhole("id");
        var from = pull.Child("fromRef");
        var fromId = from.RequiredRef("id");
        if (SplitRef(fromId) is not { Kind: RefKind.Branch } split)
        {
            throw new PayloadException(from.Path + ".id", $"is not a branch: '{TextCut.After(fromId, 80)}'");
        }
        var commit = from.RequiredCommit("latestCommit");
        var into = pull.Child("toRef").Child("repository");
        var identities = new List<string?>();
        if (into.OptionalChild("links") is { } links && links.Element.TryGetProperty("clone", out var clone) && clone.ValueKind != JsonValueKind.Null)
        {
            identities.AddRange(links.Objects("clone").Select(c => c.Text("href")));
        }
        var key = into.OptionalChild("project")?.Text("key");
        var slug = into.Text("slug");
        if (key is not null && slug is not null)
        {
            identities.Add($"{key.ToLowerInvariant()}/{slug}");
        }
        var fromRepository = from.OptionalChild("repository");
        var fork = fromRepository?.Whole("id") is { } source && into.Whole("id") is { } target && source != target;
        var action = eventName switch
        {
            "pr:opened" or "pr:from_ref_updated" => PullRequestAction.Updated,
            "pr:modified" => PullRequestAction.Other,
            _ => PullRequestAction.Closed,
        };
        string? link = null;
        if (pull.OptionalChild("links") is { } pullLinks && pullLinks.Element.TryGetProperty("self", out var self) && self.ValueKind == JsonValueKind.Array)
        {
            link = WebLink(pullLinks.Objects("self").Select(s => s.Text("href")).FirstOrDefault());
        }
        return new ProviderReading.PullRequest(new PullRequestEvent(Identities([.. identities]), number, action, eventName["pr:".Length..], split.Name, commit,
            $"refs/pull-requests/{number}/from", link)
        {
            FromFork = fork,
            Opened = eventName == "pr:opened",
        });
    }

    private static ProviderReading ReadCloud(PayloadReader payload)
    {
        var changes = new List<RefChange>();
        foreach (var change in payload.Child("push").Objects("changes"))
        {
            var created = change.OptionalChild("new");
            var state = created ?? change.OptionalChild("old") ?? throw new PayloadException(change.Path, "has neither `new` nor `old`");
            var kind = state.Required("type") == "tag" ? RefKind.Tag : RefKind.Branch;
            var name = state.RequiredShortRef("name");
            var hash = state.Child("target").RequiredCommit("hash");
            changes.Add(new RefChange(
                (kind == RefKind.Tag ? "refs/tags/" : "refs/heads/") + name, kind, name, created is null ? null : hash, created is null, change.Flag("forced")));
        }
        var repository = payload.Child("repository");
        return new ProviderReading.Push(new PushEvent(
            Identities(repository.OptionalChild("links")?.OptionalChild("html")?.Text("href"), repository.Text("full_name")), changes));
    }

    private static ProviderReading ReadDataCenter(PayloadReader payload)
    {
        var changes = new List<RefChange>();
        foreach (var change in payload.Objects("changes"))
        {
            var id = change.OptionalChild("ref")?.Text("id") ?? change.Required("refId");
            if (!RefName.IsValid(id))
            {
                throw new PayloadException(change.Path + ".ref.id", $"is not a valid git ref name: '{TextCut.After(id, 80)}'");
            }
            var toHash = change.RequiredCommit("toHash");
            change.Commit("fromHash");
            if (SplitRef(id) is not { } split)
            {
                continue;
            }
            var deleted = change.Text("type") == "DELETE" || CommitId.IsZero(toHash);
            changes.Add(new RefChange(id, split.Kind, split.Name, deleted ? null : toHash, deleted, null));
        }
        var repository = payload.Child("repository");
        var identities = new List<string?>();
        if (repository.OptionalChild("links") is { } links && links.Element.TryGetProperty("clone", out var clone) && clone.ValueKind != JsonValueKind.Null)
        {
            identities.AddRange(links.Objects("clone").Select(c => c.Text("href")));
        }
        var key = repository.OptionalChild("project")?.Text("key");
        var slug = repository.Text("slug");
        if (key is not null && slug is not null)
        {
            identities.Add($"{key.ToLowerInvariant()}/{slug}");
        }
        return new ProviderReading.Push(new PushEvent(Identities([.. identities]), changes));
    }
}
