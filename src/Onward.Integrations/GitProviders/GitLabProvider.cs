using System.Text.Json;
using Onward.Core.Sources;
using Onward.Core.Webhooks;

namespace Onward.Integrations.GitProviders;

/// <summary>
/// GitLab (https://docs.gitlab.com/user/project/integrations/webhook_events/#push-events). Not signed: GitLab sends
/// the secret token itself in <c>X-Gitlab-Token</c>. <c>checkout_sha</c> is the commit (also for an annotated tag,
/// whose <c>after</c> is the tag object) and null for a deletion. GitLab sends no event when one push changes more
/// than three refs.
/// </summary>
public sealed class GitLabProvider : GitProvider
{
    public override string Name => "gitlab";

    public override string SignatureHeader => "X-Gitlab-Token";

    public override string? Event(WebhookRequest request) => request.Header("X-Gitlab-Event");

    public override string? DeliveryId(WebhookRequest request) =>
        request.Header("Idempotency-Key") ?? request.Header("X-Gitlab-Event-UUID");

    public override bool IsSigned(WebhookRequest request, string secret) => Signatures.SameText(request.Header(SignatureHeader), secret);

    public override ProviderReading Read(string eventName, JsonElement payload)
    {
        var fields = PayloadReader.Root(payload);
        var kind = fields.Text("object_kind");
        if (eventName is not ("Push Hook" or "Tag Push Hook" or "System Hook") || kind is not ("push" or "tag_push"))
        {
            return new ProviderReading.Unknown($"GitLab event '{eventName}' ({kind ?? "no object_kind"}) is not handled; enable only push and tag push events");
        }
        var fullRef = fields.RequiredRef("ref");
        var checkout = fields.Commit("checkout_sha");
        var after = fields.RequiredCommit("after");
        var project = fields.Child("project");
        var repository = fields.OptionalChild("repository");
        var identities = Identities(project.Text("git_http_url"), project.Text("git_ssh_url"), project.Text("web_url"), project.Text("path_with_namespace"),
            repository?.Text("git_http_url"), repository?.Text("git_ssh_url"));
        if (SplitRef(fullRef) is not { } split)
        {
            return new ProviderReading.Ignored($"ref {fullRef} is neither a branch nor a tag");
        }
        var deleted = CommitId.IsZero(after) || checkout is null;
        return new ProviderReading.Push(new PushEvent(identities, [new RefChange(fullRef, split.Kind, split.Name, deleted ? null : checkout, deleted, null)]));
    }
}
