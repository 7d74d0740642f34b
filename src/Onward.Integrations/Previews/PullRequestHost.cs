using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Onward.Integrations.Notifications.HostAnswers;
using Onward.Core.Configuration;
using Onward.Core.Notifications;
using Onward.Core.Previews;
using Onward.Core.Sources;
using Onward.Integrations.Notifications;

namespace Onward.Integrations.Previews;

/// <summary>
/// Pull requests through the git host's REST API: the one comment Onward keeps on each (GitHub's and Gitea's issue
/// comments, <c>POST /repos/{owner}/{repo}/issues/{n}/comments</c> then <c>PATCH …/issues/comments/{id}</c>; GitLab's
/// merge request notes, <c>POST /projects/{id}/merge_requests/{iid}/notes</c> then <c>PUT …/notes/{note_id}</c>), and the
/// open ones (<c>GET …/pulls?state=open</c>; GitLab <c>GET …/merge_requests?state=opened</c>).
/// </summary>
public sealed class PullRequestHost(HttpClient http) : IPullRequestHost
{
    private const int PerPage = 100;

    /// <summary>The user name of each token (by its API and a digest of the token).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _users = new(StringComparer.Ordinal);

    /// <summary>The most pages of open pull requests read (and of comments looked through for Onward's).</summary>
    private const int MostPages = 20;

    public async Task<(string? CommentId, string? Error, bool Again)> SayAsync(ReportConfig report, Preview preview, string text, CancellationToken cancellationToken)
    {
        var id = preview.CommentId;
        if (id is null)
        {
            var (found, looked) = await FindCommentAsync(report, preview, cancellationToken);
            if (!looked.Delivered)
            {
                return (null, "looking for Onward's comment: " + looked.Error, looked.Retry);
            }
            id = found;
        }
        var body = new JsonObject { ["body"] = text };
        if (id is not null)
        {
            using var edit = report.Host == GitHostKind.GitLab
                ? GitHostApi.Request(report, HttpMethod.Put, $"{GitHostApi.Repository(report)}merge_requests/{preview.Number}/notes/{Uri.EscapeDataString(id)}", body)
                : GitHostApi.Request(report, HttpMethod.Patch, $"{GitHostApi.Repository(report)}issues/comments/{Uri.EscapeDataString(id)}", body);
            var (edited, _) = await Delivery.SendAsync(http, edit, report.ApiUrl.Host, cancellationToken);
            if (edited.Delivered)
            {
                return (id, null, false);
            }
            if (edited.Status != 404)
            {
                return (null, edited.Error, edited.Retry);
            }
            // Deleted by someone: a new one is made.
        }
        using var make = GitHostApi.Request(report, HttpMethod.Post,
            report.Host == GitHostKind.GitLab ? $"{GitHostApi.Repository(report)}merge_requests/{preview.Number}/notes" : $"{GitHostApi.Repository(report)}issues/{preview.Number}/comments", body);
        var (made, answer) = await Delivery.SendAsync(http, make, report.ApiUrl.Host, cancellationToken);
        if (!made.Delivered)
        {
            return (null, made.Error, made.Retry);
        }
        return Parse(answer) is JsonObject comment && IdOf(comment) is { } madeId
            ? (madeId, null, false)
            : (null, $"{report.ApiUrl.Host} answered {made.Status} without a comment id", false);
    }

    /// <summary>Onward's comment on the pull request, by its mark (its id was lost, or never kept); null when there is none.</summary>
    private async Task<(string? Id, SendOutcome Outcome)> FindCommentAsync(ReportConfig report, Preview preview, CancellationToken cancellationToken)
    {
        var mark = PreviewComment.Mark(report.Token, preview.Service, preview.Number);
        // Anyone can copy the mark from Onward's comment into one of their own: only the token's user's count.
        var (user, asked) = await TokenUserAsync(report, cancellationToken);
        if (user is null)
        {
            return (null, asked);
        }
        for (var page = 1; page <= MostPages; page++)
        {
            var path = report.Host == GitHostKind.GitLab
                ? $"{GitHostApi.Repository(report)}merge_requests/{preview.Number}/notes?sort=asc&per_page={PerPage}&page={page}"
                : $"{GitHostApi.Repository(report)}issues/{preview.Number}/comments?{(report.Host == GitHostKind.Gitea ? "limit" : "per_page")}={PerPage}&page={page}";
            using var request = GitHostApi.Request(report, HttpMethod.Get, path, null);
            var (outcome, answer) = await Delivery.SendAsync(http, request, report.ApiUrl.Host, cancellationToken);
            if (!outcome.Delivered)
            {
                return (null, outcome);
            }
            if (Parse(answer) is not JsonArray comments)
            {
                return (null, SendOutcome.Refused(outcome.Status ?? 0, $"{report.ApiUrl.Host} answered {outcome.Status} without a list of comments"));
            }
            if (comments.OfType<JsonObject>().FirstOrDefault(c => Text(c, "body")?.StartsWith(mark, StringComparison.Ordinal) == true && AuthorOf(report, c) == user) is { } ours)
            {
                return (IdOf(ours), outcome);
            }
            if (comments.Count < PerPage)
            {
                return (null, outcome);
            }
        }
        return (null, SendOutcome.Sent(200));
    }

    /// <summary>The token's user on the host (GitHub's and Gitea's <c>GET /user</c> login, GitLab's username), asked once per token.</summary>
    private async Task<(string? User, SendOutcome Outcome)> TokenUserAsync(ReportConfig report, CancellationToken cancellationToken)
    {
        var key = report.ApiUrl + " " + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(report.Token)));
        if (_users.TryGetValue(key, out var known))
        {
            return (known, SendOutcome.Sent(200));
        }
        using var request = GitHostApi.Request(report, HttpMethod.Get, "user", null);
        var (outcome, answer) = await Delivery.SendAsync(http, request, report.ApiUrl.Host, cancellationToken);
        if (!outcome.Delivered)
        {
            return (null, outcome with { Error = "asking who the token is: " + outcome.Error });
        }
        if (Parse(answer) is not JsonObject me || Text(me, report.Host == GitHostKind.GitLab ? "username" : "login") is not { Length: > 0 } name)
        {
            return (null, SendOutcome.Refused(outcome.Status ?? 0, $"{report.ApiUrl.Host} answered {outcome.Status} to GET /user without the token's user name"));
        }
        _users[key] = name;
        return (name, outcome);
    }

    private static string? AuthorOf(ReportConfig report, JsonObject comment) =>
        report.Host == GitHostKind.GitLab
            ? comment["author"] is JsonObject author ? Text(author, "username") : null
            : comment["user"] is JsonObject user ? Text(user, "login") : null;

    public async Task<(IReadOnlyList<OpenPullRequest>? Open, string? Error)> OpenAsync(ReportConfig report, CancellationToken cancellationToken)
    {
        var open = new List<OpenPullRequest>();
        for (var page = 1; page <= MostPages; page++)
        {
            var path = report.Host switch
            {
                GitHostKind.GitLab => $"{GitHostApi.Repository(report)}merge_requests?state=opened&per_page={PerPage}&page={page}",
                GitHostKind.Gitea => $"{GitHostApi.Repository(report)}pulls?state=open&limit={PerPage}&page={page}",
                _ => $"{GitHostApi.Repository(report)}pulls?state=open&per_page={PerPage}&page={page}",
            };
            using var request = GitHostApi.Request(report, HttpMethod.Get, path, null);
            var (outcome, answer) = await Delivery.SendAsync(http, request, report.ApiUrl.Host, cancellationToken);
            if (!outcome.Delivered)
            {
                return (null, outcome.Error);
            }
            if (Parse(answer) is not JsonArray pulls)
            {
                return (null, $"{report.ApiUrl.Host} answered {outcome.Status} without a list of pull requests");
            }
            foreach (var pull in pulls.OfType<JsonObject>())
            {
                if (Read(report.Host, pull) is { } read)
                {
                    open.Add(read);
                }
            }
            if (pulls.Count < PerPage)
            {
                return (open, null);
            }
        }
        return (null, $"more than {MostPages * PerPage} open pull requests; previews follow their events only");
    }

    /// <summary>One listed pull request; null when it lacks what a preview needs (a head branch and commit).</summary>
    private static OpenPullRequest? Read(GitHostKind host, JsonObject pull)
    {
        long? number;
        string? branch, commit, link;
        bool fork;
        if (host == GitHostKind.GitLab)
        {
            (number, branch, commit, link) = (Whole(pull, "iid"), Text(pull, "source_branch"), Text(pull, "sha"), Text(pull, "web_url"));
            fork = Whole(pull, "source_project_id") is { } source && Whole(pull, "target_project_id") is { } target && source != target;
        }
        else
        {
            var head = pull["head"] as JsonObject;
            (number, branch, commit, link) = (Whole(pull, "number"), head is null ? null : Text(head, "ref"), head is null ? null : Text(head, "sha"), Text(pull, "html_url"));
            var headRepo = head?["repo"];
            var baseName = (pull["base"]?["repo"] as JsonObject) is { } b ? Text(b, "full_name") : null;
            fork = (head is not null && head.ContainsKey("repo") && headRepo is null)
                || (headRepo is JsonObject h && Text(h, "full_name") is { } headName && baseName is not null && !string.Equals(headName, baseName, StringComparison.OrdinalIgnoreCase));
        }
        if (number is not { } n || branch is null || !RefName.IsValid("refs/heads/" + branch) || !CommitId.IsFull(commit))
        {
            return null;
        }
        return new OpenPullRequest(n, branch, commit!.ToLowerInvariant(), host == GitHostKind.GitLab ? $"refs/merge-requests/{n}/head" : $"refs/pull/{n}/head",
            Uri.TryCreate(link, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url.ToString() : null)
        {
            FromFork = fork,
        };
    }
}
