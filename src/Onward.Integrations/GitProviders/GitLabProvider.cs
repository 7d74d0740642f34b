using System.Text.Json;
using Onward.Core.Previews;
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
        if (eventName is "Merge Request Hook" or "System Hook" && kind == "merge_request")
        {
            return ReadMergeRequest(fields);
        }
        if (eventName is not ("Push Hook" or "Tag Push Hook" or "System Hook") || kind is not ("push" or "tag_push"))
        {
            return new ProviderReading.Unknown($"GitLab event '{eventName}' ({kind ?? "no object_kind"}) is not handled; enable push and tag push events, and merge request events for previews");
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

    /// <summary>
    /// A merge request event (https://docs.gitlab.com/user/project/integrations/webhook_events/#merge-request-events):
    /// <c>object_attributes.action</c> open, reopen, update (new commits, or only a title), close, merge; the head is
    /// <c>last_commit.id</c> of <c>source_branch</c>, kept under <c>refs/merge-requests/IID/head</c> of the target project.
    /// </summary>
    private static ProviderReading ReadMergeRequest(PayloadReader fields)
    {
        var attributes = fields.Child("object_attributes");
        var said = attributes.Text("action") ?? "";
        var number = attributes.RequiredWhole("iid");
        var branch = attributes.RequiredShortRef("source_branch");
        var commit = attributes.Child("last_commit").RequiredCommit("id");
        var project = fields.Child("project");
        var identities = Identities(project.Text("git_http_url"), project.Text("git_ssh_url"), project.Text("web_url"), project.Text("path_with_namespace"));
        // An update without `oldrev` changed the title, labels or the like, not the commits.
        var action = said switch
        {
            "open" or "reopen" => PullRequestAction.Updated,
            "update" when attributes.Commit("oldrev") is not null => PullRequestAction.Updated,
            "close" or "merge" => PullRequestAction.Closed,
            _ => PullRequestAction.Other,
        };
        return new ProviderReading.PullRequest(new PullRequestEvent(identities, number, action, said.Length == 0 ? "(no action)" : said, branch, commit,
            $"refs/merge-requests/{number}/head", WebLink(attributes.Text("url")))
        {
            FromFork = attributes.Whole("source_project_id") is { } source && attributes.Whole("target_project_id") is { } target && source != target,
            Opened = said is "open" or "reopen",
        });
    }
}
