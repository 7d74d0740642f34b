using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Onward.Core.Configuration;
using Onward.Core.Messages;

namespace Onward.Integrations.Notifications;

/// <summary>A request to a git host's REST API with the authentication and headers the host documents.</summary>
public static class GitHostApi
{
    /// <summary>
    /// GitHub: <c>Authorization: Bearer</c>, <c>Accept: application/vnd.github+json</c> and the API version; GitLab:
    /// <c>PRIVATE-TOKEN</c>; Gitea: <c>Authorization: token</c>. <paramref name="path"/> is relative to the API base;
    /// <paramref name="body"/>, sent as JSON, is null for a GET.
    /// </summary>
    public static HttpRequestMessage Request(ReportConfig report, HttpMethod method, string path, JsonObject? body)
    {
        var request = new HttpRequestMessage(method, new Uri(report.ApiUrl, path));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }
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
        return request;
    }

    /// <summary>GitHub's and Gitea's <c>repos/{owner}/{repo}/</c>, GitLab's <c>projects/{url-encoded path}/</c>.</summary>
    public static string Repository(ReportConfig report) =>
        report.Host == GitHostKind.GitLab ? $"projects/{Uri.EscapeDataString(report.Project)}/" : $"repos/{report.Project}/";

    /// <summary>A description cut to <paramref name="longest"/> characters (GitHub refuses longer ones).</summary>
    public static string Cut(string text, int longest = 140) => TextCut.Within(text, longest);
}
