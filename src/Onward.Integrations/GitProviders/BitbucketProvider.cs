using System.Text.Json;
using Onward.Core.Releases;
using Onward.Core.Webhooks;

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
        "repo:push" => ReadCloud(payload),
        "repo:refs_changed" => ReadDataCenter(payload),
        _ => new ProviderReading.Unknown($"Bitbucket event '{eventName}' is not handled; send repo:push (Cloud) or repo:refs_changed (Data Center)"),
    };

    private static ProviderReading ReadCloud(JsonElement payload)
    {
        var changes = new List<RefChange>();
        foreach (var change in payload.GetProperty("push").GetProperty("changes").EnumerateArray())
        {
            var state = change.TryGetProperty("new", out var n) && n.ValueKind == JsonValueKind.Object ? n
                : change.TryGetProperty("old", out var o) && o.ValueKind == JsonValueKind.Object ? o
                : throw new KeyNotFoundException("a change has neither `new` nor `old`");
            var deleted = !(change.TryGetProperty("new", out var created) && created.ValueKind == JsonValueKind.Object);
            var kind = Required(state, "type") == "tag" ? RefKind.Tag : RefKind.Branch;
            var name = Required(state, "name");
            changes.Add(new RefChange(
                (kind == RefKind.Tag ? "refs/tags/" : "refs/heads/") + name, kind, name,
                deleted ? null : Required(state, "target", "hash"), deleted, Flag(change, "forced")));
        }
        var repository = payload.GetProperty("repository");
        return new ProviderReading.Push(new PushEvent(
            Identities(Text(repository, "links", "html", "href"), Text(repository, "full_name")), changes));
    }

    private static ProviderReading ReadDataCenter(JsonElement payload)
    {
        var changes = new List<RefChange>();
        foreach (var change in payload.GetProperty("changes").EnumerateArray())
        {
            var id = Text(change, "ref", "id") ?? Required(change, "refId");
            if (SplitRef(id) is not { } split)
            {
                continue;
            }
            var deleted = Text(change, "type") == "DELETE" || IsZero(Text(change, "toHash"));
            changes.Add(new RefChange(id, split.Kind, split.Name, deleted ? null : Required(change, "toHash"), deleted, null));
        }
        var repository = payload.GetProperty("repository");
        var identities = new List<string?>();
        if (repository.TryGetProperty("links", out var links) && links.TryGetProperty("clone", out var clone) && clone.ValueKind == JsonValueKind.Array)
        {
            identities.AddRange(clone.EnumerateArray().Select(c => Text(c, "href")));
        }
        var key = Text(repository, "project", "key");
        var slug = Text(repository, "slug");
        if (key is not null && slug is not null)
        {
            identities.Add($"{key.ToLowerInvariant()}/{slug}");
        }
        return new ProviderReading.Push(new PushEvent(Identities([.. identities]), changes));
    }
}
