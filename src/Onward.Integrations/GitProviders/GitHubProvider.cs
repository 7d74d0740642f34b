using System.Text.Json;

namespace Onward.Integrations.GitProviders;

/// <summary>
/// GitHub (https://docs.github.com/en/webhooks/webhook-events-and-payloads#push). Signed with
/// <c>X-Hub-Signature-256: sha256=HEX</c>. For an annotated tag, <c>after</c> is the tag object, so the commit comes
/// from <c>head_commit.id</c>. GitHub sends no push event when more than three tags are pushed at once, and never
/// retries: polling stays on to reconcile.
/// </summary>
public sealed class GitHubProvider : GitProvider
{
    private static readonly HashSet<string> Updates = ["opened", "reopened", "synchronize"];
    private static readonly HashSet<string> Closes = ["closed"];

    public override string Name => "github";

    public override string SignatureHeader => "X-Hub-Signature-256";

    public override string? Event(WebhookRequest request) => request.Header("X-GitHub-Event");

    public override string? DeliveryId(WebhookRequest request) => request.Header("X-GitHub-Delivery");

    public override bool IsSigned(WebhookRequest request, string secret)
    {
        var header = request.Header(SignatureHeader);
        return header is not null && header.StartsWith("sha256=", StringComparison.Ordinal)
            && Signatures.HexMatches(header["sha256=".Length..], secret, request.Body);
    }

    public override ProviderReading Read(string eventName, JsonElement payload)
    {
        var fields = PayloadReader.Root(payload);
        switch (eventName)
        {
            case "ping":
                return new ProviderReading.Ignored("ping: the webhook reaches Onward");
            case "create" or "delete":
                return new ProviderReading.Ignored($"'{eventName}' events are ignored; the push event for the same ref is what builds");
            case "push":
                return ReadGitHubStylePush(fields, fields.Flag("forced"));
            case "pull_request":
                return ReadGitHubStylePullRequest(fields, Updates, Closes);
            default:
                return new ProviderReading.Unknown($"GitHub event '{eventName}' is not handled; send push events, and pull_request events for previews (ping is fine too)");
        }
    }
}
