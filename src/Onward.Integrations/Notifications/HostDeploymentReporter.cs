using System.Text.Json;
using System.Text.Json.Nodes;
using Onward.Core.Configuration;
using Onward.Core.Notifications;
using Onward.Core.Releases;

namespace Onward.Integrations.Notifications;

/// <summary>
/// Reports each deployment as a deployment on the service's git host, beside its commit status: on GitHub a
/// Deployment (<c>POST /repos/{owner}/{repo}/deployments</c>) with a deployment status per change
/// (<c>POST …/deployments/{id}/statuses</c>: queued while it waits for approval, in_progress, success, failure,
/// error when blocked, inactive when it ended undeployed); on GitLab a deployment (<c>POST /projects/{id}/deployments</c>
/// once it starts, then <c>PUT …/deployments/{id}</c> with its status: running, success, failed, canceled — GitLab's
/// API makes none that waits for an approval). The host's id of the deployment is kept, so that later changes update
/// the same one; one that is blocked or ends before the host was told of it makes none. Gitea has no such API:
/// statuses only.
/// </summary>
public sealed class HostDeploymentReporter(HttpClient http, INotificationStore store, IReleaseStore releases, TimeProvider time)
{
    /// <summary>The state an event gives the host's deployment, in the host's words; null for an event that changes none.</summary>
    public static string? StateOf(GitHostKind host, string kind) => (host, kind) switch
    {
        (GitHostKind.GitHub, NotificationKinds.AwaitingApproval) => "queued",
        (GitHostKind.GitHub, NotificationKinds.Started) => "in_progress",
        (GitHostKind.GitHub, NotificationKinds.Succeeded) => "success",
        (GitHostKind.GitHub, NotificationKinds.Failed) => "failure",
        (GitHostKind.GitHub, NotificationKinds.Blocked) => "error",
        (GitHostKind.GitHub, NotificationKinds.Ended) => "inactive",
        (GitHostKind.GitLab, NotificationKinds.Started) => "running",
        (GitHostKind.GitLab, NotificationKinds.Succeeded) => "success",
        (GitHostKind.GitLab, NotificationKinds.Failed or NotificationKinds.Blocked) => "failed",
        (GitHostKind.GitLab, NotificationKinds.Ended) => "canceled",
        _ => null,
    };

    public async Task<SendOutcome> SendAsync(ReportConfig report, NotificationDelivery delivery, Uri linkBase, CancellationToken cancellationToken)
    {
        var e = delivery.Event;
        if (StateOf(report.Host, e.Kind) is not { } state || e.DeploymentId is not { } deploymentId || e.Commit is null || e.Environment is null)
        {
            return SendOutcome.Sent(0);
        }
        var description = GitHostApi.Cut(e.Kind switch
        {
            NotificationKinds.AwaitingApproval => $"{e.Version}: waiting for approval",
            NotificationKinds.Started => $"{e.Version}: deploying",
            NotificationKinds.Succeeded => $"{e.Version}: verified",
            _ => $"{e.Version}: {e.Message}",
        });
        var link = NotificationSender.Link(e, linkBase).ToString();
        var known = await store.HostDeploymentAsync(delivery.Sink, deploymentId, cancellationToken);
        if (known is null && e.Kind is NotificationKinds.Blocked or NotificationKinds.Ended)
        {
            return SendOutcome.Sent(0);
        }
        if (known is null)
        {
            var release = e.ReleaseId is { } releaseId ? await releases.GetAsync(releaseId, cancellationToken) : null;
            var created = await CreateAsync(report, e, release, state, description, cancellationToken);
            if (created.Id is null)
            {
                return created.Outcome;
            }
            await store.RememberHostDeploymentAsync(delivery.Sink, deploymentId, created.Id, time.GetUtcNow(), cancellationToken);
            if (report.Host == GitHostKind.GitLab)
            {
                return created.Outcome; // made with its status
            }
            known = created.Id;
        }
        using var request = report.Host == GitHostKind.GitLab
            ? GitHostApi.Request(report, HttpMethod.Put, $"{GitHostApi.Repository(report)}deployments/{known}", new JsonObject { ["status"] = state })
            : GitHostApi.Request(report, HttpMethod.Post, $"{GitHostApi.Repository(report)}deployments/{known}/statuses", new JsonObject
            {
                ["state"] = state,
                ["log_url"] = link,
                ["description"] = description,
                ["environment"] = e.Environment,
                ["auto_inactive"] = true,
            });
        return await Delivery.PostAsync(http, request, report.ApiUrl.Host, cancellationToken);
    }

    /// <summary>Makes the deployment on the host (GitLab: with its first status); answers the host's id of it when it was made.</summary>
    private async Task<(SendOutcome Outcome, string? Id)> CreateAsync(
        ReportConfig report, NotificationEvent e, Release? release, string state, string description, CancellationToken cancellationToken)
    {
        var body = report.Host == GitHostKind.GitLab
            ? new JsonObject
            {
                ["environment"] = e.Environment,
                ["sha"] = e.Commit,
                ["ref"] = release?.Ref ?? e.Commit,
                ["tag"] = release?.RefKind == RefKind.Tag,
                ["status"] = state,
            }
            : new JsonObject
            {
                ["ref"] = e.Commit,
                ["environment"] = e.Environment,
                ["description"] = description,
                ["auto_merge"] = false,
                ["required_contexts"] = new JsonArray(), // Onward's own pending statuses must not hold the deployment back
                ["transient_environment"] = false,
                ["payload"] = new JsonObject { ["onward"] = new JsonObject { ["deployment"] = e.DeploymentId, ["release"] = e.ReleaseId, ["version"] = e.Version } },
            };
        using var request = GitHostApi.Request(report, HttpMethod.Post, $"{GitHostApi.Repository(report)}deployments", body);
        var (outcome, answer) = await Delivery.SendAsync(http, request, report.ApiUrl.Host, cancellationToken);
        if (!outcome.Delivered)
        {
            return (outcome, null);
        }
        var id = IdIn(answer);
        return id is null
            ? (SendOutcome.Refused(outcome.Status ?? 0, $"{report.ApiUrl.Host} answered {outcome.Status} without a deployment id (not tried again)"), null)
            : (outcome, id);
    }

    private static string? IdIn(string? answer)
    {
        try
        {
            return answer is not null && JsonNode.Parse(answer) is JsonObject o && o["id"] is JsonValue v && v.TryGetValue<long>(out var id) ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
