using System.Text.Json;

namespace Onward.Integrations.GitProviders;

/// <summary>
/// Gitea, Forgejo and Gogs (https://docs.gitea.com/usage/webhooks). Gitea also sends <c>X-GitHub-Event</c>, so the
/// provider is decided by the route and the event read from <c>X-Gitea-Event</c> (or Forgejo's and Gogs' own
/// headers). Signed with the hex HMAC-SHA256 in <c>X-Gitea-Signature</c>, without a prefix. Creation and deletion
/// show as an all-zero SHA; Gitea sends nothing for a deleted branch.
/// </summary>
public sealed class GiteaProvider : GitProvider
{
    // Gitea says "synchronized" where GitHub says "synchronize".
    private static readonly HashSet<string> Updates = ["opened", "reopened", "synchronized", "synchronize"];
    private static readonly HashSet<string> Closes = ["closed"];

    public override string Name => "gitea";

    public override string SignatureHeader => "X-Gitea-Signature";

    public override string? Event(WebhookRequest request) =>
        request.Header("X-Gitea-Event") ?? request.Header("X-Forgejo-Event") ?? request.Header("X-Gogs-Event");

    public override string? DeliveryId(WebhookRequest request) =>
        request.Header("X-Gitea-Delivery") ?? request.Header("X-Forgejo-Delivery") ?? request.Header("X-Gogs-Delivery");

    public override bool IsSigned(WebhookRequest request, string secret) =>
        Signatures.HexMatches(request.Header(SignatureHeader) ?? request.Header("X-Forgejo-Signature") ?? request.Header("X-Gogs-Signature"), secret, request.Body);

    public override ProviderReading Read(string eventName, JsonElement payload)
    {
        var fields = PayloadReader.Root(payload);
        switch (eventName)
        {
            case "create" or "delete":
                return new ProviderReading.Ignored($"'{eventName}' events are ignored; the push event for the same ref is what builds");
            case "push":
                // Gitea does not say whether a push was forced.
                return ReadGitHubStylePush(fields, null);
            case "pull_request":
                return ReadGitHubStylePullRequest(fields, Updates, Closes);
            default:
                return new ProviderReading.Unknown($"Gitea event '{eventName}' is not handled; send push events, and pull request events for previews");
        }
    }
}
