using System.Net.Http.Headers;
using System.Text.Json;
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
    private const int LongestDescription = 140;

    /// <summary>The status an event sets, in the host's words, with its context and description; null for an event that sets none.</summary>
    public static (string State, string Context, string Description)? StatusOf(GitHostKind host, NotificationEvent e)
    {
        var (state, description) = e.Kind switch
        {
            NotificationKinds.BuildStarted => ("pending", "building"),
            NotificationKinds.Built => ("success", "built"),
            NotificationKinds.BuildFailed => ("failure", "the build failed: " + e.Message),
            NotificationKinds.AwaitingApproval => ("pending", "waiting for approval: " + e.Message),
            NotificationKinds.Started => ("running", "deploying"),
            NotificationKinds.Succeeded => ("success", "verified"),
            NotificationKinds.Failed => ("failure", "failed: " + e.Message),
            NotificationKinds.Blocked => ("error", "blocked: " + e.Message),
            _ => (null, null),
        };
        if (state is null || e.Commit is null)
        {
            return null;
        }
        state = (host, state) switch
        {
            (GitHostKind.GitLab, "failure" or "error") => "failed",
            (GitHostKind.GitLab, _) => state,
            (_, "running") => "pending",
            _ => state,
        };
        var context = e.Kind is NotificationKinds.BuildStarted or NotificationKinds.Built or NotificationKinds.BuildFailed ? "onward/build" : $"onward/deploy/{e.Environment}";
        return (state, context, description!.Length > LongestDescription ? description[..(LongestDescription - 1)] + "…" : description!);
    }

    public async Task<SendOutcome> SendAsync(ReportConfig report, NotificationDelivery delivery, Uri linkBase, CancellationToken cancellationToken)
    {
        var e = delivery.Event;
        if (StatusOf(report.Host, e) is not { } status)
        {
            return SendOutcome.Sent(0);
        }
        var link = NotificationSender.Link(e, linkBase).ToString();
        var (path, body) = report.Host switch
        {
            GitHostKind.GitLab => ($"projects/{Uri.EscapeDataString(report.Project)}/statuses/{e.Commit}",
                new JsonObject { ["state"] = status.State, ["name"] = status.Context, ["target_url"] = link, ["description"] = status.Description }),
            _ => ($"repos/{report.Project}/statuses/{e.Commit}",
                new JsonObject { ["state"] = status.State, ["context"] = status.Context, ["target_url"] = link, ["description"] = status.Description }),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(report.ApiUrl, path))
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.UserAgent.ParseAdd("Onward");
        switch (report.Host)
        {
            case GitHostKind.GitHub:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", report.Token);
                request.Headers.Accept.ParseAdd("application/vnd.github+json");
                request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
                break;
            case GitHostKind.GitLab:
                request.Headers.Add("PRIVATE-TOKEN", report.Token);
                break;
            default:
                request.Headers.Authorization = new AuthenticationHeaderValue("token", report.Token);
                break;
        }
        return await Delivery.PostAsync(http, request, report.ApiUrl.Host, cancellationToken);
    }
}
