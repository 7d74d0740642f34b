using Onward.Contracts.Notifications;
using System.Text.Json.Nodes;
using Onward.Core.Configuration;
using Onward.Core.Notifications;

namespace Onward.Integrations.Notifications;

/// <summary>
/// Reports builds and deployments as commit statuses on the service's git host: <c>onward/build</c> for the build,
/// <c>onward/deploy/ENV</c> for each environment, with a link to the release or deployment in the web UI. The shapes
/// are those the hosts document: GitHub's and Gitea's <c>POST /repos/{owner}/{repo}/statuses/{sha}</c>, GitLab's
/// <c>POST /projects/{id}/statuses/{sha}</c>.
/// </summary>
public sealed class CommitStatusReporter(HttpClient http)
{
    /// <summary>The status an event sets, in the host's words, with its context and description; null for an event that sets none.</summary>
    public static (string State, string Context, string Description)? StatusOf(GitHostKind host, NotificationEvent e)
    {
        var (state, description) = e.Kind switch
        {
            NotificationKind.BuildStarted => ("pending", "building"),
            NotificationKind.Built => ("success", "built"),
            NotificationKind.BuildFailed => ("failure", "the build failed: " + e.Message),
            NotificationKind.AwaitingApproval => ("pending", "waiting for approval: " + e.Message),
            NotificationKind.Started => ("running", "deploying"),
            NotificationKind.Succeeded => ("success", "verified"),
            NotificationKind.Failed => ("failure", "failed: " + e.Message),
            NotificationKind.Blocked => ("error", "blocked: " + e.Message),
            NotificationKind.Ended => ("error", "not deployed: " + e.Message),
            _ => (null, null),
        };
        if (state is null || e.Commit is null)
        {
            return null;
        }
        state = (host, state) switch
        {
            (GitHostKind.GitLab, _) when e.Kind == NotificationKind.Ended => "canceled",
            (GitHostKind.GitLab, "failure" or "error") => "failed",
            (GitHostKind.GitLab, _) => state,
            (_, "running") => "pending",
            _ => state,
        };
        var context = e.Kind is NotificationKind.BuildStarted or NotificationKind.Built or NotificationKind.BuildFailed ? "onward/build" : $"onward/deploy/{e.Environment}";
        return (state, context, GitHostApi.Cut(description!));
    }

    public async Task<SendOutcome> SendAsync(ReportConfig report, NotificationDelivery delivery, Uri linkBase, CancellationToken cancellationToken)
    {
        var e = delivery.Event;
        if (StatusOf(report.Host, e) is not { } status)
        {
            return SendOutcome.Sent(0);
        }
        var link = NotificationSender.Link(e, linkBase).ToString();
        var body = new JsonObject { ["state"] = status.State, [report.Host == GitHostKind.GitLab ? "name" : "context"] = status.Context, ["target_url"] = link, ["description"] = status.Description };
        using var request = GitHostApi.Request(report, HttpMethod.Post, $"{GitHostApi.Repository(report)}statuses/{e.Commit}", body);
        return await Delivery.PostAsync(http, request, report.ApiUrl.Host, cancellationToken);
    }
}
