using Onward.Contracts.Notifications;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Onward.Integrations.Notifications.HostAnswers;
using Onward.Core.Configuration;
using Onward.Core.Notifications;
using Onward.Core.Previews;
using Onward.Core.Releases;

namespace Onward.Integrations.Notifications;

/// <summary>
/// Reports each deployment as a deployment on the service's git host, beside its commit status: on GitHub a
/// Deployment (<c>POST /repos/{owner}/{repo}/deployments</c>) with a deployment status per change
/// (<c>POST …/deployments/{id}/statuses</c>: queued while it waits for approval, in_progress, success, failure,
/// error when blocked, inactive when it ended undeployed); on GitLab a deployment (<c>POST /projects/{id}/deployments</c>
/// once it starts, then <c>PUT …/deployments/{id}</c> with its status: running, success, failed, canceled — GitLab's
/// API makes none that waits for an approval). The host's id of the deployment is kept, so that later changes update
/// the same one; one that is blocked or ends before the host was told of it makes none. That the host is being asked
/// to make one is noted first: when its answer is lost (no answer, a 5xx from a proxy after the host made it, a crash
/// before the id was kept), the next attempt looks for it on the host before making one. Gitea has no such API:
/// statuses only.
/// </summary>
public sealed class HostDeploymentReporter(HttpClient http, INotificationStore store, IReleaseStore releases, IPreviewStore previews, TimeProvider time)
{
    /// <summary>How far apart the host's clock and Onward's may be when looking for a deployment by its time.</summary>
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMinutes(5);

    /// <summary>The state an event gives the host's deployment, in the host's words; null for an event that changes none.</summary>
    public static string? StateOf(GitHostKind host, NotificationKind kind) => (host, kind) switch
    {
        (GitHostKind.GitHub, NotificationKind.AwaitingApproval) => "queued",
        (GitHostKind.GitHub, NotificationKind.Started) => "in_progress",
        (GitHostKind.GitHub, NotificationKind.Succeeded) => "success",
        (GitHostKind.GitHub, NotificationKind.Failed) => "failure",
        (GitHostKind.GitHub, NotificationKind.Blocked) => "error",
        (GitHostKind.GitHub, NotificationKind.Ended or NotificationKind.Retired) => "inactive",
        (GitHostKind.GitLab, NotificationKind.Started) => "running",
        (GitHostKind.GitLab, NotificationKind.Succeeded) => "success",
        (GitHostKind.GitLab, NotificationKind.Failed or NotificationKind.Blocked) => "failed",
        (GitHostKind.GitLab, NotificationKind.Ended) => "canceled",
        _ => null,
    };

    /// <summary>Whether the host hears of an event: a state of its deployment, or (GitLab) a destroyed preview's environment to stop.</summary>
    public static bool Tells(GitHostKind host, NotificationKind kind) =>
        StateOf(host, kind) is not null || (host == GitHostKind.GitLab && kind == NotificationKind.Retired);

    public async Task<SendOutcome> SendAsync(ReportConfig report, NotificationDelivery delivery, Uri linkBase, CancellationToken cancellationToken)
    {
        var e = delivery.Event;
        if (report.Host == GitHostKind.GitLab && e.Kind == NotificationKind.Retired && e.Environment is not null)
        {
            return await StopEnvironmentAsync(report, e.Environment, cancellationToken);
        }
        if (StateOf(report.Host, e.Kind) is not { } state || e.DeploymentId is not { } deploymentId || e.Commit is null || e.Environment is null)
        {
            return SendOutcome.Sent(0);
        }
        var description = GitHostApi.Cut(e.Kind switch
        {
            NotificationKind.AwaitingApproval => $"{e.Version}: waiting for approval",
            NotificationKind.Started => $"{e.Version}: deploying",
            NotificationKind.Succeeded => $"{e.Version}: verified",
            _ => $"{e.Version}: {e.Message}",
        });
        var link = NotificationSender.Link(e, linkBase).ToString();
        // A preview's environment is transient on GitHub, and its address is what "View deployment" opens.
        var preview = e.Service is not null && PreviewConfig.NumberOf(e.Service, e.Environment) is { } number ? await previews.FindAsync(e.Service, number, cancellationToken) : null;
        var known = await store.HostDeploymentAsync(delivery.Sink, deploymentId, cancellationToken);
        var hostId = known?.HostId;
        if (known is { HostId: null })
        {
            // Asked for before without an answer kept: the host may have made it then.
            var (looked, found, status) = await FindAsync(report, e, deploymentId, known.AskedAt, cancellationToken);
            if (!looked.Delivered)
            {
                return looked;
            }
            if (found is not null)
            {
                await store.RememberHostDeploymentAsync(delivery.Sink, deploymentId, found, time.GetUtcNow(), cancellationToken);
                if (report.Host == GitHostKind.GitLab && status == state)
                {
                    return looked; // made with this status when its answer was lost
                }
                hostId = found;
            }
        }
        if (hostId is null && e.Kind is NotificationKind.Blocked or NotificationKind.Ended or NotificationKind.Retired)
        {
            return SendOutcome.Sent(0);
        }
        if (hostId is null)
        {
            var release = e.ReleaseId is { } releaseId ? await releases.GetAsync(releaseId, cancellationToken) : null;
            await store.AskingForHostDeploymentAsync(delivery.Sink, deploymentId, time.GetUtcNow(), cancellationToken);
            var created = await CreateAsync(report, e, release, state, description, preview is not null, cancellationToken);
            if (created.Id is null)
            {
                return created.Outcome;
            }
            await store.RememberHostDeploymentAsync(delivery.Sink, deploymentId, created.Id, time.GetUtcNow(), cancellationToken);
            if (report.Host == GitHostKind.GitLab)
            {
                return created.Outcome; // made with its status
            }
            hostId = created.Id;
        }
        var told = new JsonObject
        {
            ["state"] = state,
            ["log_url"] = link,
            ["description"] = description,
            ["environment"] = e.Environment,
            ["auto_inactive"] = true,
        };
        if (preview?.Url is { } url && e.Kind != NotificationKind.Retired)
        {
            told["environment_url"] = url;
        }
        using var request = report.Host == GitHostKind.GitLab
            ? GitHostApi.Request(report, HttpMethod.Put, $"{GitHostApi.Repository(report)}deployments/{hostId}", new JsonObject { ["status"] = state })
            : GitHostApi.Request(report, HttpMethod.Post, $"{GitHostApi.Repository(report)}deployments/{hostId}/statuses", told);
        return await Delivery.PostAsync(http, request, report.ApiUrl.Host, cancellationToken);
    }

    /// <summary>
    /// GitLab: a destroyed preview's environment is stopped (<c>POST /projects/:id/environments/:environment_id/stop</c>,
    /// found by name), so that GitLab lists it among the stopped ones.
    /// </summary>
    private async Task<SendOutcome> StopEnvironmentAsync(ReportConfig report, string environment, CancellationToken cancellationToken)
    {
        using var find = GitHostApi.Request(report, HttpMethod.Get, $"{GitHostApi.Repository(report)}environments?name={Uri.EscapeDataString(environment)}", null);
        var (found, answer) = await Delivery.SendAsync(http, find, report.ApiUrl.Host, cancellationToken);
        if (!found.Delivered)
        {
            return found;
        }
        if (Parse(answer) is not JsonArray list || list.OfType<JsonObject>().FirstOrDefault(o => Text(o, "name") == environment) is not { } named || IdOf(named) is not { } id)
        {
            return SendOutcome.Sent(found.Status ?? 200); // GitLab never heard of it: nothing to stop
        }
        using var stop = GitHostApi.Request(report, HttpMethod.Post, $"{GitHostApi.Repository(report)}environments/{id}/stop", new JsonObject());
        return await Delivery.PostAsync(http, stop, report.ApiUrl.Host, cancellationToken);
    }

    /// <summary>Makes the deployment on the host (GitLab: with its first status); answers the host's id of it when it was made.</summary>
    private async Task<(SendOutcome Outcome, string? Id)> CreateAsync(
        ReportConfig report, NotificationEvent e, Release? release, string state, string description, bool transient, CancellationToken cancellationToken)
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
                ["transient_environment"] = transient,
                ["payload"] = new JsonObject { ["onward"] = new JsonObject { ["deployment"] = e.DeploymentId, ["release"] = e.ReleaseId, ["version"] = e.Version } },
            };
        using var request = GitHostApi.Request(report, HttpMethod.Post, $"{GitHostApi.Repository(report)}deployments", body);
        var (outcome, answer) = await Delivery.SendAsync(http, request, report.ApiUrl.Host, cancellationToken);
        if (!outcome.Delivered)
        {
            return (outcome, null);
        }
        var id = Parse(answer) is JsonObject made ? IdOf(made) : null;
        return id is null
            ? (SendOutcome.Refused(outcome.Status ?? 0, $"{report.ApiUrl.Host} answered {outcome.Status} without a deployment id (not tried again)"), null)
            : (outcome, id);
    }

    /// <summary>
    /// Looks on the host for the deployment an earlier attempt asked for without keeping the answer. GitHub: the one of
    /// the commit in the environment whose payload names this Onward deployment. GitLab keeps no payload: the oldest of
    /// the commit in the environment made since it was asked for (less <see cref="ClockSlack"/>, the host's clock may
    /// differ) that no other Onward deployment holds, of any service (services of one repository share the project).
    /// GitLab pairs <c>updated_after</c> with <c>order_by=updated_at</c> and refuses it otherwise. Answers no id when there is none (it was never made), and the
    /// status the host has for it (GitLab).
    /// </summary>
    private async Task<(SendOutcome Outcome, string? Id, string? Status)> FindAsync(
        ReportConfig report, NotificationEvent e, long deploymentId, DateTimeOffset askedAt, CancellationToken cancellationToken)
    {
        var since = askedAt - ClockSlack;
        var environment = Uri.EscapeDataString(e.Environment!);
        var path = report.Host == GitHostKind.GitLab
            ? $"{GitHostApi.Repository(report)}deployments?environment={environment}&updated_after={since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}&order_by=updated_at&sort=asc&per_page=100"
            : $"{GitHostApi.Repository(report)}deployments?sha={e.Commit}&environment={environment}&per_page=100";
        using var request = GitHostApi.Request(report, HttpMethod.Get, path, null);
        var (outcome, answer) = await Delivery.SendAsync(http, request, report.ApiUrl.Host, cancellationToken);
        if (!outcome.Delivered)
        {
            return (outcome with { Error = "looking for the deployment asked for before: " + outcome.Error }, null, null);
        }
        if (Parse(answer) is not JsonArray list)
        {
            return (SendOutcome.Refused(outcome.Status ?? 0, $"{report.ApiUrl.Host} answered {outcome.Status} without a list of deployments (not tried again)"), null, null);
        }
        var candidates = list.OfType<JsonObject>().Where(d => Text(d, "sha") == e.Commit && IdOf(d) is not null);
        if (report.Host == GitHostKind.GitHub)
        {
            var named = candidates.FirstOrDefault(d => d["payload"] is JsonObject payload
                && payload["onward"]?["deployment"] is JsonValue onward && onward.TryGetValue<long>(out var id) && id == deploymentId);
            return (outcome, named is null ? null : IdOf(named), null);
        }
        foreach (var found in candidates.OrderBy(d => long.Parse(IdOf(d)!, CultureInfo.InvariantCulture)))
        {
            if (DateTimeOffset.TryParse(Text(found, "created_at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var createdAt)
                && createdAt >= since && await store.DeploymentOfHostIdAsync(IdOf(found)!, cancellationToken) is null)
            {
                return (outcome, IdOf(found), Text(found, "status"));
            }
        }
        return (outcome, null, null);
    }
}
